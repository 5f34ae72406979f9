/**
 * Digest credentials: the values of Authorization and Proxy-Authorization (RFC 7616 section 3.4,
 * RFC 3261 sections 20.7, 20.28 and 22, grammar in section 25.1). The server parses them and
 * checks their shape here (a missing parameter or a bad nc is a malformed header, answered 400);
 * the client prints them in the order SIP phones use.
 */
import { type AuthValue, Params, quote } from '../sip/index.js';
import { type DigestAlgorithm, parseAlgorithm } from './algorithm.js';
import { type DigestQop, formatNc, parseNc } from './digest-math.js';

export interface DigestCredentials {
  /** The username as sent (a hash when userhash is true). */
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithmName: string;
  /** Undefined when the algorithm is not one this stack knows. */
  readonly algorithm: DigestAlgorithm | undefined;
  readonly qop: DigestQop | undefined;
  readonly cnonce: string | undefined;
  /** The nonce count; set exactly when qop is. */
  readonly nc: number | undefined;
  /** The nc as written (the digest is computed over this text, whatever its case). */
  readonly ncText: string | undefined;
  readonly opaque: string | undefined;
  readonly userhash: boolean;
}

export type ParsedCredentials =
  | { readonly ok: true; readonly credentials: DigestCredentials }
  | { readonly ok: false; readonly problem: string };

const REQUIRED = ['username', 'realm', 'nonce', 'uri', 'response'] as const;

/** Parses Digest credentials; `ok: false` names what is malformed. Other schemes are not credentials. */
export function parseCredentials(value: AuthValue): ParsedCredentials {
  if (value.scheme.toLowerCase() !== 'digest') return { ok: false, problem: `scheme ${value.scheme} is not Digest` };
  const p = value.params;
  const fields: Partial<Record<(typeof REQUIRED)[number], string>> = {};
  for (const name of REQUIRED) {
    const v = p.getUnquoted(name);
    if (v === undefined) return { ok: false, problem: `missing ${name}` };
    fields[name] = v;
  }
  const response = fields.response as string;
  if (!/^[0-9a-fA-F]+$/.test(response)) return { ok: false, problem: 'response is not hex' };
  const algorithmName = p.getUnquoted('algorithm') ?? 'MD5';
  const qopText = p.getUnquoted('qop')?.toLowerCase();
  let qop: DigestQop | undefined;
  let nc: number | undefined;
  let ncText: string | undefined;
  let cnonce: string | undefined;
  if (qopText !== undefined) {
    if (qopText !== 'auth' && qopText !== 'auth-int') return { ok: false, problem: `unknown qop "${qopText}"` };
    qop = qopText;
    // RFC 7616 section 3.4: with a qop, cnonce and nc MUST be sent.
    cnonce = p.getUnquoted('cnonce');
    if (cnonce === undefined || cnonce.length === 0) return { ok: false, problem: 'qop without cnonce' };
    ncText = p.getUnquoted('nc');
    nc = ncText === undefined ? undefined : parseNc(ncText);
    if (nc === undefined) return { ok: false, problem: 'qop without an nc of 8 hex digits' };
  }
  return {
    ok: true,
    credentials: {
      username: fields.username as string,
      realm: fields.realm as string,
      nonce: fields.nonce as string,
      uri: fields.uri as string,
      response,
      algorithmName,
      algorithm: parseAlgorithm(algorithmName),
      qop,
      cnonce,
      nc,
      ncText,
      opaque: p.getUnquoted('opaque'),
      userhash: p.getUnquoted('userhash')?.toLowerCase() === 'true',
    },
  };
}

export interface CredentialsInit {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop?: DigestQop | undefined;
  readonly cnonce?: string | undefined;
  readonly nc?: number | undefined;
  readonly opaque?: string | undefined;
  readonly userhash?: boolean | undefined;
}

/**
 * The header value of credentials. Order: username, realm, nonce, uri, response, algorithm, cnonce,
 * opaque, qop, nc (as baresip, PJSIP and Kamailio's uac module write them). qop and nc are bare
 * tokens: RFC 3261 section 25.1 (and RFC 7616 section 3.4) do not quote them in credentials.
 */
export function credentialsValue(init: CredentialsInit): AuthValue {
  const entries: [string, string][] = [
    ['username', quote(init.username)],
    ['realm', quote(init.realm)],
    ['nonce', quote(init.nonce)],
    ['uri', quote(init.uri)],
    ['response', quote(init.response)],
    ['algorithm', init.algorithm],
  ];
  if (init.qop !== undefined) entries.push(['cnonce', quote(init.cnonce ?? '')]);
  if (init.opaque !== undefined) entries.push(['opaque', quote(init.opaque)]);
  if (init.qop !== undefined) {
    entries.push(['qop', init.qop]);
    entries.push(['nc', formatNc(init.nc ?? 1)]);
  }
  if (init.userhash) entries.push(['userhash', 'true']);
  return { scheme: 'Digest', params: new Params(entries) };
}
