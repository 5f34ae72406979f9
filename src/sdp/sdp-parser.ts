/**
 * SDP parser (RFC 8866 section 5 and its ABNF in section 9). The grammar is line based:
 * `<type>=<value>`, session-level lines first, then one section per m= line. Bad input never throws:
 * the result is a typed failure naming the line, so that a UAS can answer 400 (RFC 3261 section
 * 21.4.1) rather than crash. Lenient where interoperability needs it: bare LF line ends and a
 * missing final CRLF are accepted (RFC 8866 section 5: "parsers SHOULD be tolerant and also accept
 * records terminated with a single newline character"), as is an empty s= (seen in RFC 5118
 * section 4.6). Unknown type letters make the description fail, as RFC 8866 section 5 requires
 * ("SDP parsers MUST completely ignore or reject any session description that contains a type
 * letter that it does not understand").
 */
import type {
  SdpAttribute,
  SdpBandwidth,
  SdpConnection,
  SdpMedia,
  SdpOrigin,
  SdpTiming,
  SessionDescription,
} from './sdp-model.js';

export interface SdpParseError {
  /** 1-based line number of the offending line (0 when the body as a whole is wrong). */
  line: number;
  message: string;
}

export type SdpParseResult = { ok: true; sdp: SessionDescription } | { ok: false; error: SdpParseError };

const LINE = /^([a-z])=(.*)$/;
const DIGITS = /^\d+$/;
const SESSION_ONLY = new Set(['v', 'o', 's', 'u', 'e', 'p', 't', 'r', 'z']);
const KNOWN = new Set(['v', 'o', 's', 'i', 'u', 'e', 'p', 'c', 'b', 't', 'r', 'z', 'k', 'a', 'm']);

class ParseFailure {
  constructor(readonly error: SdpParseError) {}
}

function fail(line: number, message: string): never {
  throw new ParseFailure({ line, message });
}

/** Parses an SDP body. Never throws. */
export function parseSdp(text: string): SdpParseResult {
  try {
    return { ok: true, sdp: parseLines(text) };
  } catch (err) {
    if (err instanceof ParseFailure) return { ok: false, error: err.error };
    throw err;
  }
}

function parseLines(text: string): SessionDescription {
  const lines = text.split('\n');
  // A body ending in CRLF leaves one empty string after the split; so does a bare final LF.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) fail(0, 'empty session description');

  let version: number | undefined;
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  const sdp: Omit<SessionDescription, 'version' | 'origin' | 'sessionName'> = {
    emails: [],
    phones: [],
    bandwidths: [],
    timing: [],
    attributes: [],
    media: [],
  };
  let media: SdpMedia | undefined;

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let raw = lines[i] as string;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw === '') fail(n, 'empty line inside the session description');
    const m = LINE.exec(raw);
    if (!m) fail(n, `not a <type>=<value> line: ${JSON.stringify(raw.slice(0, 40))}`);
    const type = m[1] as string;
    const value = m[2] as string;
    if (!KNOWN.has(type)) fail(n, `unknown line type "${type}"`);
    if (i === 0 && type !== 'v') fail(n, 'the first line must be v=');
    if (media && SESSION_ONLY.has(type)) fail(n, `"${type}=" is not allowed inside a media section`);

    switch (type) {
      case 'v':
        if (i !== 0) fail(n, 'v= may only appear first');
        if (value !== '0') fail(n, `unsupported SDP version ${value}`);
        version = 0;
        break;
      case 'o':
        if (origin) fail(n, 'more than one o= line');
        origin = parseOrigin(value, n);
        break;
      case 's':
        if (sessionName !== undefined) fail(n, 'more than one s= line');
        sessionName = value;
        break;
      case 'i':
        if (media) {
          if (media.information !== undefined) fail(n, 'more than one i= line in a media section');
          media.information = value;
        } else {
          if (sdp.information !== undefined) fail(n, 'more than one session-level i= line');
          sdp.information = value;
        }
        break;
      case 'u':
        if (sdp.uri !== undefined) fail(n, 'more than one u= line');
        sdp.uri = value;
        break;
      case 'e':
        sdp.emails.push(value);
        break;
      case 'p':
        sdp.phones.push(value);
        break;
      case 'c': {
        const c = parseConnection(value, n);
        if (media) media.connections.push(c);
        else if (sdp.connection) fail(n, 'more than one session-level c= line');
        else sdp.connection = c;
        break;
      }
      case 'b':
        (media ? media.bandwidths : sdp.bandwidths).push(parseBandwidth(value, n));
        break;
      case 't':
        sdp.timing.push(parseTiming(value, n));
        break;
      case 'r': {
        const last = sdp.timing[sdp.timing.length - 1];
        if (!last) fail(n, 'r= without a preceding t=');
        last.repeats.push(value);
        break;
      }
      case 'z':
        if (sdp.timeZones !== undefined) fail(n, 'more than one z= line');
        sdp.timeZones = value;
        break;
      case 'k':
        if (media) media.key = value;
        else sdp.key = value;
        break;
      case 'a':
        (media ? media.attributes : sdp.attributes).push(parseAttribute(value, n));
        break;
      case 'm':
        media = parseMediaLine(value, n);
        sdp.media.push(media);
        break;
    }
  }
  if (version === undefined) fail(1, 'missing v= line');
  if (!origin) fail(0, 'missing o= line');
  // RFC 8866 section 5.3 makes s= mandatory; a body without one is still usable, so it is read as
  // an empty name rather than refused (interop with stacks that omit it).
  return { version, origin, sessionName: sessionName ?? '', ...sdp };
}

function parseOrigin(value: string, n: number): SdpOrigin {
  const f = value.split(' ');
  if (f.length !== 6) fail(n, 'o= must have 6 fields: username sess-id sess-version nettype addrtype address');
  const [username, sessionId, sessionVersion, netType, addrType, address] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!DIGITS.test(sessionId)) fail(n, 'o= sess-id must be decimal digits');
  if (!DIGITS.test(sessionVersion)) fail(n, 'o= sess-version must be decimal digits');
  if (username === '' || netType === '' || addrType === '' || address === '') fail(n, 'empty o= field');
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

function parseConnection(value: string, n: number): SdpConnection {
  const f = value.split(' ');
  if (f.length !== 3) fail(n, 'c= must be: nettype addrtype connection-address');
  const [netType, addrType, spec] = f as [string, string, string];
  if (netType === '' || addrType === '' || spec === '') fail(n, 'empty c= field');
  const parts = spec.split('/');
  const address = parts[0] as string;
  const c: SdpConnection = { netType, addrType, address };
  const nums = parts.slice(1).map((p) => {
    if (!DIGITS.test(p)) fail(n, `bad number "${p}" in c= address`);
    return Number(p);
  });
  // RFC 8866 section 5.7: IP4 multicast is <base>/<ttl>[/<count>]; IP6 multicast is <base>[/<count>].
  if (addrType === 'IP4') {
    if (nums.length > 2) fail(n, 'too many "/" parts in c= address');
    if (nums[0] !== undefined) c.ttl = nums[0];
    if (nums[1] !== undefined) c.count = nums[1];
  } else {
    if (nums.length > 1) fail(n, 'too many "/" parts in c= address');
    if (nums[0] !== undefined) c.count = nums[0];
  }
  return c;
}

function parseBandwidth(value: string, n: number): SdpBandwidth {
  const colon = value.indexOf(':');
  if (colon <= 0) fail(n, 'b= must be <bwtype>:<bandwidth>');
  const num = value.slice(colon + 1);
  if (!DIGITS.test(num)) fail(n, 'b= bandwidth must be decimal digits');
  return { type: value.slice(0, colon), value: Number(num) };
}

function parseTiming(value: string, n: number): SdpTiming {
  const f = value.split(' ');
  if (f.length !== 2 || !DIGITS.test(f[0] as string) || !DIGITS.test(f[1] as string)) {
    fail(n, 't= must be <start-time> <stop-time>');
  }
  return { start: Number(f[0]), stop: Number(f[1]), repeats: [] };
}

function parseAttribute(value: string, n: number): SdpAttribute {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (name === '' || /[\s]/.test(name)) fail(n, `bad attribute name "${name}"`);
  return { name, value: colon < 0 ? null : value.slice(colon + 1) };
}

function parseMediaLine(value: string, n: number): SdpMedia {
  const f = value.split(' ');
  if (f.length < 3) fail(n, 'm= must be: media port proto fmt ...');
  const [type, portSpec, protocol] = f as [string, string, string];
  const formats = f.slice(3);
  if (type === '' || protocol === '') fail(n, 'empty m= field');
  if (formats.some((x) => x === '')) fail(n, 'empty format in m=');
  const slash = portSpec.indexOf('/');
  const portText = slash < 0 ? portSpec : portSpec.slice(0, slash);
  if (!DIGITS.test(portText) || Number(portText) > 65535) fail(n, `bad m= port "${portSpec}"`);
  const media: SdpMedia = {
    type,
    port: Number(portText),
    protocol,
    formats,
    connections: [],
    bandwidths: [],
    attributes: [],
  };
  if (slash >= 0) {
    const count = portSpec.slice(slash + 1);
    if (!DIGITS.test(count)) fail(n, `bad m= port count "${portSpec}"`);
    media.portCount = Number(count);
  }
  return media;
}
