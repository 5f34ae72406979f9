/**
 * `switchboard parse [FILE|-] [--json] [--role uas|proxy|registrar]`: parses one SIP message
 * from a file or standard input and shows what the stack sees — the start line, what identifies
 * its transaction and dialog, each header typed (unknown headers raw), a body summary (parts of
 * a multipart body), notes on what a peer may trip over (RFC 2543 branches, missing
 * Max-Forwards or Content-Length, bytes after the body), and the status a server would still
 * answer. Exits 0 when the message parses, 1 with one line naming the problem and the status a
 * server would answer when it cannot be parsed or a known header in it is malformed, 2 on a
 * bad command line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  findHeaderEnd,
  HEADERS,
  type HeaderKey,
  headerKeyOf,
  IncomingRequest,
  type IncomingResponse,
  parseMessage,
  reasonPhrase,
  type ValidationRole,
  validateRequest,
  validateResponse,
} from '../sip/index.js';
import { describe, type Json, summarize } from './describe.js';
import type { CommandIO } from './io.js';

const USAGE = 'usage: switchboard parse [FILE|-] [--json] [--role uas|proxy|registrar]';
const ROLES: readonly ValidationRole[] = ['uas', 'proxy', 'registrar'];

type Message = IncomingRequest | IncomingResponse;

/** Control characters shown as \xHH, so that a message with a NUL or a BEL prints legibly. */
function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function statusText(status: number): string {
  return `${status} ${reasonPhrase(status)}`;
}

const TEXT_TYPES =
  /^(text\/|application\/(sdp|pidf\+xml|xpidf\+xml|dialog-info\+xml|simple-message-summary|dtmf-relay|json|xml|[a-z.+-]*\+xml)$|message\/sipfrag)/;

/** The parts of a multipart body (RFC 2046 section 5.1), for the summary: type and size of each. */
function multipartParts(body: Buffer, boundary: string): { contentType: string; length: number }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { contentType: string; length: number }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // the close delimiter
    const next = body.indexOf(delimiter, start);
    const part = body.subarray(start, next < 0 ? body.length : next);
    const he = findHeaderEnd(part);
    const head = he ? part.toString('latin1', 0, he.end) : '';
    const ct = /^content-type[ \t]*:[ \t]*([^\r\n;]+)/im.exec(head)?.[1]?.trim().toLowerCase() ?? 'text/plain';
    // The CRLF before the next delimiter belongs to the delimiter.
    const length = he ? Math.max(0, part.length - he.bodyStart - 2) : 0;
    parts.push({ contentType: ct, length });
    at = next;
  }
  return parts;
}

function bodySummary(msg: Message): { text: string; json: Json } {
  const len = msg.body.length;
  if (len === 0) return { text: 'no body', json: { length: 0 } };
  const ct = msg.contentType ?? 'no Content-Type';
  const body = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength);
  const binary = body.includes(0);
  const json: { [key: string]: Json } = { length: len, contentType: msg.contentType ?? null };
  const boundary = msg.tryGet('content-type');
  const b =
    boundary.ok && boundary.value?.type === 'multipart' ? boundary.value.params.getUnquoted('boundary') : undefined;
  if (b !== undefined) {
    const parts = multipartParts(body, b);
    json['parts'] = parts.map((p) => ({ contentType: p.contentType, length: p.length }));
    const lines = parts.map((p, i) => `    part ${i + 1}: ${p.contentType}, ${p.length} bytes`);
    json['base64'] = body.toString('base64');
    return { text: [`${len} bytes ${ct}, ${parts.length} parts (boundary "${b}")`, ...lines].join('\n'), json };
  }
  if (TEXT_TYPES.test(ct) && !binary) {
    json['text'] = msg.bodyText;
    const shown = msg.bodyText.replace(/\r\n/g, '\n').replace(/^/gm, '    ').trimEnd();
    return { text: `${len} bytes ${ct}\n${shown}`, json };
  }
  json['base64'] = body.toString('base64');
  return { text: `${len} bytes ${ct} (${binary ? 'binary' : 'not shown'})`, json };
}

/** What identifies the transaction and the dialog of the message (sections 17.1.3, 17.2.3, 12). */
function transaction(msg: Message): { [key: string]: Json } {
  const via = msg.tryGet('via');
  const top = via.ok ? via.value[0] : undefined;
  const cseq = msg.tryGet('cseq');
  const from = msg.tryGet('from');
  const to = msg.tryGet('to');
  return {
    branch: top?.branch ?? null,
    sentBy: top ? `${top.transport} ${top.host}${top.port === undefined ? '' : `:${top.port}`}` : null,
    callId: msg.tryGet('call-id').ok ? (msg.get('call-id') ?? null) : null,
    cseq: cseq.ok && cseq.value ? `${cseq.value.seq} ${cseq.value.method}` : null,
    fromTag: from.ok ? (from.value?.tag ?? null) : null,
    toTag: to.ok ? (to.value?.tag ?? null) : null,
  };
}

/** Things a peer may trip over although the message is acceptable. */
function notes(msg: Message, bytes: Buffer): string[] {
  const out: string[] = [];
  const branch = msg.tryGet('via').ok ? msg.get('via')[0]?.branch : undefined;
  if (msg.has('via') && !branch?.startsWith('z9hG4bK')) {
    out.push(
      branch === undefined
        ? 'the top Via has no branch: RFC 2543-style transaction matching (section 17.2.3)'
        : `the top Via branch "${branch}" lacks the z9hG4bK magic cookie: RFC 2543-style matching (section 17.2.3)`,
    );
  }
  if (msg instanceof IncomingRequest && !msg.has('max-forwards')) {
    out.push('no Max-Forwards: section 8.1.1.6 requires it (an RFC 2543 element?)');
  }
  if (msg instanceof IncomingRequest && msg.method !== 'ACK' && msg.method !== 'CANCEL' && !msg.has('contact')) {
    if (msg.method === 'INVITE' || msg.method === 'SUBSCRIBE' || msg.method === 'REFER') {
      out.push(`no Contact: a ${msg.method} needs one to create a dialog (section 8.1.1.8)`);
    }
  }
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  const he = findHeaderEnd(bytes, start);
  const declared = msg.tryGet('content-length');
  if (!msg.has('content-length')) {
    out.push(
      'no Content-Length: the body is the rest of the datagram on UDP, but the header is mandatory on TCP and TLS (section 18.3)',
    );
  } else if (he && declared.ok && declared.value !== undefined) {
    const extra = bytes.length - he.bodyStart - declared.value;
    if (extra > 0)
      out.push(`${extra} bytes after the body were ignored (Content-Length ${declared.value}, section 18.3)`);
  }
  if (start > 0) out.push(`${start} bytes of line ends before the start line were skipped (section 7.5)`);
  return out;
}

export async function parseCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { json: { type: 'boolean' }; role: { type: 'string' } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { json: { type: 'boolean' }, role: { type: 'string' } },
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr(`switchboard parse: ${(err as Error).message} (${USAGE})`);
    return 2;
  }
  const role = (parsed.values.role ?? 'uas') as ValidationRole;
  if (!ROLES.includes(role)) {
    io.stderr(`switchboard parse: --role must be uas, proxy or registrar, not "${role}"`);
    return 2;
  }
  const file = parsed.positionals[0] ?? '-';
  if (parsed.positionals.length > 1) {
    io.stderr(`switchboard parse: one file at most, got ${parsed.positionals.length} (${USAGE})`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await io.readStdin() : readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    io.stderr(`switchboard parse: ${file}: ${why}`);
    return 2;
  }
  const json = parsed.values.json === true;
  const result = parseMessage(bytes);
  if (!result.ok) {
    let lead = 0;
    while (lead < bytes.length && (bytes[lead] === 0x0d || bytes[lead] === 0x0a)) lead++;
    const isResponse = bytes.toString('latin1', lead, lead + 4).toUpperCase() === 'SIP/';
    const kind = result.request ? 'request' : isResponse ? 'response' : 'message';
    const answer = result.request
      ? `a server would answer ${statusText(result.error.status)}`
      : isResponse
        ? 'the response would be dropped'
        : 'nothing can be answered';
    if (json) {
      io.stdout(
        JSON.stringify({
          ok: false,
          kind,
          error: result.error.message,
          status: result.request ? result.error.status : null,
        }),
      );
    } else io.stdout(visible(`unparseable ${kind}: ${result.error.message}; ${answer}`));
    return 1;
  }
  const msg = result.message;
  const isReq = msg instanceof IncomingRequest;
  const headerErrors = msg.headerErrors();
  if (headerErrors.length > 0) {
    const first = headerErrors[0] as (typeof headerErrors)[number];
    const answer = isReq
      ? `a server that needs it would answer ${statusText(first.error.status)}`
      : 'the response would be dropped';
    const more = headerErrors.length > 1 ? ` (and ${headerErrors.length - 1} more malformed headers)` : '';
    const what = `malformed ${first.name} header: ${first.error.message.replace(/^[A-Za-z-]+: /, '')}${more}`;
    if (json) {
      io.stdout(JSON.stringify({ ok: false, kind: msg.kind, error: what, status: isReq ? first.error.status : null }));
    } else io.stdout(visible(`${what}; ${answer}`));
    return 1;
  }
  const problem = isReq ? validateRequest(msg, { role }) : validateResponse(msg);
  const headers = msg.headerLines().map((l) => {
    const key = headerKeyOf(l.name);
    const spec = key ? HEADERS[key] : undefined;
    return { name: l.name, canonical: spec?.name ?? null, known: l.known, raw: l.value, rfc: spec?.rfc ?? null };
  });
  const body = bodySummary(msg);
  const tx = transaction(msg);
  const remarks = notes(msg, bytes);
  if (json) {
    io.stdout(
      JSON.stringify(
        {
          ok: true,
          kind: msg.kind,
          startLine: msg.startLine,
          ...(isReq ? { method: msg.method, uri: describe(msg.uri) } : { status: msg.status, reason: msg.reason }),
          transaction: tx,
          headers: headers.map((h) => {
            const key = headerKeyOf(h.name);
            return { ...h, value: key ? describe(msg.get(key)) : h.raw };
          }),
          body: body.json,
          notes: remarks,
          serverWouldAnswer: problem
            ? {
                status: problem.status,
                reason: problem.reason,
                role: isReq ? role : null,
                headers: problem.headers.map(([n, v]) => ({ name: n, value: v })),
              }
            : null,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const out: string[] = [];
  out.push(msg.startLine);
  out.push(`  (${msg.kind}, ${headers.length} header lines, body ${msg.body.length} bytes)`);
  if (isReq) out.push(`  Request-URI: ${summarize(msg.uri)}`);
  out.push(
    `  Transaction: branch ${tx['branch'] ?? '(none)'} from ${tx['sentBy'] ?? '(no Via)'}, CSeq ${tx['cseq'] ?? '(none)'}`,
  );
  const dialog = tx['toTag'] === null ? (isReq ? 'outside a dialog (no To tag)' : 'no To tag') : 'in a dialog';
  out.push(
    `  Dialog: Call-ID ${tx['callId'] ?? '(none)'}, From tag ${tx['fromTag'] ?? '(none)'}, To tag ${tx['toTag'] ?? '(none)'}: ${dialog}`,
  );
  const width = Math.min(22, Math.max(...headers.map((h) => (h.canonical ?? h.name).length), 4));
  out.push('  Header lines (as received, unfolded):');
  for (const h of headers) {
    const alias = h.canonical && h.canonical.toLowerCase() !== h.name.toLowerCase() ? `   [= ${h.canonical}]` : '';
    out.push(`    ${h.name}: ${h.raw}${h.known ? alias : '   [unknown header, kept raw]'}`);
  }
  out.push('  Typed view:');
  const keys = [...new Set(headers.filter((h) => h.known).map((h) => headerKeyOf(h.name) as HeaderKey))];
  for (const key of keys) {
    const v = msg.get(key);
    const list = Array.isArray(v) ? (v as unknown[]) : [v];
    list.forEach((item, i) => {
      const label = list.length > 1 ? `${HEADERS[key].name}[${i}]` : HEADERS[key].name;
      out.push(`    ${label.padEnd(width + 4)}${summarize(item, HEADERS[key].print as (v: never) => string)}`);
    });
  }
  out.push(`Body: ${body.text}`);
  for (const r of remarks) out.push(`Note: ${r}`);
  if (isReq) {
    out.push(
      problem
        ? `Verdict: well-formed; a ${role} would answer ${statusText(problem.status)} (${problem.reason})${problem.headers.map(([n, v]) => ` with ${n}: ${v}`).join('')}`
        : `Verdict: well-formed; a ${role} would process it`,
    );
  } else {
    out.push(
      problem
        ? `Verdict: a response that cannot be matched (${problem.reason}); it would be dropped`
        : 'Verdict: well-formed response; it is matched to its client transaction by branch and CSeq method',
    );
  }
  io.stdout(visible(out.join('\n')));
  return 0;
}
