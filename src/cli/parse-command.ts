/**
 * `switchboard parse [FILE|-] [--json] [--role uas|proxy|registrar]`: parses one SIP message
 * from a file or standard input and shows what the stack sees — the start line, each header
 * typed (unknown headers raw), a body summary — and the status a server would still answer.
 * Exits 0 when the message parses, 1 with one line naming the problem and the status a server
 * would answer when it cannot be parsed or a known header in it is malformed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
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

function bodySummary(msg: IncomingRequest | IncomingResponse): { text: string; json: Json } {
  const len = msg.body.length;
  if (len === 0) return { text: 'no body', json: { length: 0 } };
  const ct = msg.contentType ?? 'unknown type';
  const isText =
    /^(text\/|application\/sdp|message\/sipfrag|application\/(pidf|dialog-info|simple-message-summary))/.test(ct);
  const binary = msg.body.includes(0);
  const json: Json = { length: len, contentType: msg.contentType ?? null };
  if (isText && !binary) {
    json['text'] = msg.bodyText;
    const shown = msg.bodyText.replace(/\r\n/g, '\n').replace(/^/gm, '    ').trimEnd();
    return { text: `${len} bytes ${ct}\n${shown}`, json };
  }
  json['base64'] = Buffer.from(msg.body).toString('base64');
  return { text: `${len} bytes ${ct} (${binary ? 'binary' : 'not shown'})`, json };
}

function statusText(status: number): string {
  return `${status} ${reasonPhrase(status)}`;
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
    io.stderr(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const role = (parsed.values.role ?? 'uas') as ValidationRole;
  if (!['uas', 'proxy', 'registrar'].includes(role)) {
    io.stderr(`--role: must be uas, proxy or registrar, not "${role}"`);
    return 2;
  }
  const file = parsed.positionals[0] ?? '-';
  if (parsed.positionals.length > 1) {
    io.stderr(`parse takes one file, got ${parsed.positionals.length}\n${USAGE}`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await io.readStdin() : readFileSync(file);
  } catch (err) {
    io.stderr(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    return 2;
  }
  const json = parsed.values.json === true;
  const result = parseMessage(bytes);
  if (!result.ok) {
    const kind = result.request ? 'request' : 'message';
    const answer = result.request
      ? `a server would answer ${statusText(result.error.status)}`
      : 'a response would be dropped';
    if (json)
      io.stdout(
        JSON.stringify({
          ok: false,
          error: result.error.message,
          status: result.request ? result.error.status : null,
          kind,
        }),
      );
    else io.stdout(`unparseable ${kind}: ${result.error.message}; ${answer}`);
    return 1;
  }
  const msg = result.message;
  const headerErrors = msg.headerErrors();
  if (headerErrors.length > 0) {
    const first = headerErrors[0] as (typeof headerErrors)[number];
    const isReq = msg instanceof IncomingRequest;
    const answer = isReq
      ? `a server that needs it would answer ${statusText(first.error.status)}`
      : 'the response would be dropped';
    const what = `malformed ${first.name} header: ${first.error.message.replace(/^[A-Za-z-]+: /, '')}`;
    if (json) {
      io.stdout(
        JSON.stringify({
          ok: false,
          error: what,
          status: isReq ? first.error.status : null,
          kind: isReq ? 'request' : 'response',
        }),
      );
    } else io.stdout(`${what}; ${answer}`);
    return 1;
  }
  const problem = msg instanceof IncomingRequest ? validateRequest(msg, { role }) : validateResponse(msg);
  const headers = msg.headerLines().map((l) => {
    const key = headerKeyOf(l.name);
    const spec = key ? HEADERS[key] : undefined;
    const value = key ? msg.get(key as HeaderKey) : undefined;
    return { name: l.name, canonical: spec?.name ?? null, known: l.known, raw: l.value, value, rfc: spec?.rfc ?? null };
  });
  const body = bodySummary(msg);
  if (json) {
    io.stdout(
      JSON.stringify(
        {
          ok: true,
          kind: msg.kind,
          startLine: msg.startLine,
          ...(msg instanceof IncomingRequest
            ? { method: msg.method, uri: describe(msg.uri) }
            : { status: msg.status, reason: msg.reason }),
          headers: headers.map((h) => ({ ...h, value: h.known ? describe(h.value) : h.raw })),
          body: body.json,
          serverWouldAnswer: problem ? { status: problem.status, reason: problem.reason, role } : null,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const out: string[] = [];
  out.push(`${msg.startLine}`);
  out.push(`  (${msg.kind}, ${headers.length} header lines, body ${msg.body.length} bytes)`);
  if (msg instanceof IncomingRequest) out.push(`  Request-URI: ${summarize(msg.uri)}`);
  const width = Math.min(22, Math.max(...headers.map((h) => (h.canonical ?? h.name).length), 4));
  out.push('  Header lines (as received, unfolded):');
  for (const h of headers) {
    out.push(`    ${h.name}: ${h.raw}${h.known ? '' : '   [unknown header, kept raw]'}`);
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
  if (msg instanceof IncomingRequest) {
    out.push(
      problem
        ? `Verdict: well-formed; a ${role} would answer ${statusText(problem.status)} (${problem.reason})`
        : `Verdict: well-formed; a ${role} would process it`,
    );
  } else {
    out.push(
      problem
        ? `Verdict: a response that cannot be matched (${problem.reason}); it would be dropped`
        : 'Verdict: well-formed response',
    );
  }
  io.stdout(out.join('\n'));
  return 0;
}
