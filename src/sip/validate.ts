/**
 * Request validation a server acts on, after parsing (RFC 3261 sections 8.2 and 16.3). The parser
 * rejects what cannot be a message at all; this step names the status a UAS, registrar or proxy
 * answers a well-formed message it must still refuse, in the RFC's order:
 * 400 (missing or repeated mandatory headers, malformed headers the element needs),
 * 501 or 405 (unknown or unsupported method, UAS), 416 (Request-URI scheme), 483 (Max-Forwards 0 at a proxy),
 * 420 (Require / Proxy-Require), 415 (body type), 406 (Accept excludes what we would send).
 */
import type { HeaderBlock } from './header-block.js';
import type { IncomingRequest, IncomingResponse } from './message.js';
import { KNOWN_METHODS } from './parser.js';
import { type HeaderKey, headerKeyOf, headerSpec } from './registry.js';
import { SipUri } from './uri.js';

export type ValidationRole = 'uas' | 'proxy' | 'registrar';

export interface ValidationOptions {
  role?: ValidationRole;
  /** Option tags this element supports (Require is checked against them; section 8.2.2.3). */
  supported?: readonly string[];
  /** Methods a UAS implements (others get 405 or 501; section 8.2.1). Default: the methods the stack knows. */
  methods?: ReadonlySet<string>;
  /** Body types a UAS understands (section 8.2.3). */
  contentTypes?: readonly string[];
  /** URI schemes the element can handle in the Request-URI (section 8.2.2.1 / 16.3 step 2). */
  schemes?: readonly string[];
}

export interface ValidationProblem {
  readonly status: number;
  readonly reason: string;
  /** Headers the response must carry (Unsupported for 420, Accept for 415, Allow for 405/501). */
  readonly headers: readonly (readonly [string, string])[];
}

export const DEFAULT_CONTENT_TYPES = [
  'application/sdp',
  'message/sipfrag',
  'multipart/mixed',
  'multipart/alternative',
  'application/dtmf-relay',
  'text/plain',
];

const MANDATORY_REQUEST: readonly HeaderKey[] = ['to', 'from', 'cseq', 'call-id', 'via'];
/** The single-valued headers a proxy or a transaction needs; their repetition is always an error. */
const NEEDED_SINGLE: readonly HeaderKey[] = ['to', 'from', 'cseq', 'call-id', 'max-forwards'];
const UAS_PARSED: readonly HeaderKey[] = [
  ...MANDATORY_REQUEST,
  'max-forwards',
  'content-type',
  'require',
  'proxy-require',
];
const PROXY_PARSED: readonly HeaderKey[] = [...MANDATORY_REQUEST, 'max-forwards', 'proxy-require'];

function problem(
  status: number,
  reason: string,
  headers: readonly (readonly [string, string])[] = [],
): ValidationProblem {
  return { status, reason, headers };
}

/**
 * Missing, repeated or malformed headers (400). Section 7.3: only headers whose value is a
 * comma-separated list may appear on several lines, so a UAS refuses any repeated single-valued
 * header (RFC 4475 multi01). A proxy checks only what it uses and forwards the rest unchanged
 * (section 16.3 step 1: other components "SHOULD be ignored and remain unchanged").
 */
function structural(
  msg: HeaderBlock,
  mandatory: readonly HeaderKey[],
  singles: 'all' | readonly HeaderKey[],
  parsed: readonly HeaderKey[],
): ValidationProblem | undefined {
  for (const key of mandatory) {
    if (!msg.has(key)) return problem(400, `missing ${headerSpec(key).name} header`);
  }
  for (const key of singles === 'all' ? NEEDED_SINGLE : singles) {
    if (msg.count(key) > 1) return problem(400, `more than one ${headerSpec(key).name} header`);
  }
  if (singles === 'all') {
    const seen = new Set<string>();
    for (const { name, known } of msg.headerLines()) {
      if (!known) continue;
      const key = headerKeyOf(name) as HeaderKey;
      if (headerSpec(key).cardinality !== 'single') continue;
      if (seen.has(key)) return problem(400, `more than one ${headerSpec(key).name} header`);
      seen.add(key);
    }
  }
  for (const key of parsed) {
    const r = msg.tryGet(key);
    if (!r.ok) return problem(400, r.error.message);
  }
  return undefined;
}

/** The first reason to refuse a request, or undefined when the element may process it. */
export function validateRequest(req: IncomingRequest, options: ValidationOptions = {}): ValidationProblem | undefined {
  const role = options.role ?? 'uas';
  const s =
    role === 'proxy'
      ? structural(req, MANDATORY_REQUEST, NEEDED_SINGLE, PROXY_PARSED)
      : structural(req, MANDATORY_REQUEST, 'all', UAS_PARSED);
  if (s) return s;
  const methods = options.methods ?? KNOWN_METHODS;
  if (role !== 'proxy' && !methods.has(req.method)) {
    const allow: readonly (readonly [string, string])[] = [['Allow', [...methods].join(', ')]];
    // Section 8.2.1: 405 (with Allow) for a method the UAS recognizes but does not support,
    // 501 (section 21.5.2) for one it does not recognize (RFC 4475 esc02, intmeth).
    if (KNOWN_METHODS.has(req.method)) return problem(405, `method ${req.method} is not allowed here`, allow);
    return problem(501, `method ${req.method} is not implemented`, allow);
  }
  const schemes = options.schemes ?? ['sip', 'sips', 'tel'];
  if (!schemes.includes(req.uri.scheme)) return problem(416, `unsupported URI scheme ${req.uri.scheme}`);
  if (role === 'proxy' && req.get('max-forwards') === 0) return problem(483, 'Max-Forwards reached 0');
  if (role === 'registrar') {
    const to = req.get('to');
    if (to && !(to.uri instanceof SipUri))
      return problem(400, `To must be a SIP or SIPS address of record, not ${to.uri.scheme}`);
  }
  const supported = new Set((options.supported ?? []).map((t) => t.toLowerCase()));
  const requireKey: HeaderKey = role === 'proxy' ? 'proxy-require' : 'require';
  // A proxy ignores Require (section 16.3 step 5 checks only Proxy-Require); ACK and CANCEL never carry demands (8.2.2.3).
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = req.get(requireKey).filter((t) => !supported.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      return problem(420, `unsupported extension ${unsupported.join(', ')}`, [['Unsupported', unsupported.join(', ')]]);
    }
  }
  if (role === 'proxy') return undefined;
  const contentTypes = options.contentTypes ?? DEFAULT_CONTENT_TYPES;
  if (req.body.length > 0) {
    const ct = req.contentType;
    if (ct === undefined) return problem(400, 'a body without Content-Type');
    if (!contentTypes.includes(ct)) {
      return problem(415, `unsupported body type ${ct}`, [['Accept', contentTypes.join(', ')]]);
    }
    const enc = req.tryGet('content-encoding');
    if (enc.ok && enc.value.some((e) => e.toLowerCase() !== 'identity')) {
      return problem(415, `unsupported Content-Encoding ${enc.value.join(', ')}`, [['Accept-Encoding', 'identity']]);
    }
  }
  if (req.method === 'INVITE' && req.has('accept')) {
    const accept = req.tryGet('accept');
    if (!accept.ok) return problem(400, accept.error.message);
    const ok = accept.value.some(
      (m) => (m.type === '*' || m.type === 'application') && (m.subtype === '*' || m.subtype === 'sdp'),
    );
    if (!ok)
      return problem(406, 'Accept does not include application/sdp', [
        ['Warning', '399 switchboard "no acceptable body type"'],
      ]);
  }
  return undefined;
}

/** A response must carry Via, From, To, Call-ID and CSeq to be matched; otherwise it is dropped (section 18.1.2). */
export function validateResponse(res: IncomingResponse): ValidationProblem | undefined {
  return structural(res, MANDATORY_REQUEST, ['to', 'from', 'cseq', 'call-id'], MANDATORY_REQUEST);
}
