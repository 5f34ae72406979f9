/**
 * The SDP data model (RFC 8866 section 5). One interface per line type, kept close to the wire so
 * that parse followed by serialize reproduces a canonical body byte for byte: numbers that may
 * exceed 2^53 (o= session id and version, RFC 8866 section 5.2) stay strings, attribute order is
 * preserved, and unknown attributes are kept as name/value pairs.
 */

/** c= (RFC 8866 section 5.7). `ttl` only for IP4 multicast, `count` for multicast address ranges. */
export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
  ttl?: number;
  count?: number;
}

/** o= (RFC 8866 section 5.2). */
export interface SdpOrigin {
  username: string;
  /** Decimal digits; may exceed Number.MAX_SAFE_INTEGER (RFC 5118 section 4.11 uses 971731711378798081). */
  sessionId: string;
  /** Decimal digits; see sessionId. */
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** b= (RFC 8866 section 5.8). */
export interface SdpBandwidth {
  type: string;
  value: number;
}

/** t= with its r= lines (RFC 8866 sections 5.9, 5.10); repeats are kept as written. */
export interface SdpTiming {
  start: number;
  stop: number;
  repeats: string[];
}

/** a= (RFC 8866 section 5.13): a property attribute has value null, a value attribute a string. */
export interface SdpAttribute {
  name: string;
  value: string | null;
}

/** One m= section (RFC 8866 section 5.14) with its i=, c=, b=, k= and a= lines. */
export interface SdpMedia {
  type: string;
  port: number;
  /** The "/<number of ports>" suffix of m=, when present. */
  portCount?: number;
  protocol: string;
  formats: string[];
  information?: string;
  connections: SdpConnection[];
  bandwidths: SdpBandwidth[];
  key?: string;
  attributes: SdpAttribute[];
}

/** A whole session description (RFC 8866 section 5, field order as in its section 5 list). */
export interface SessionDescription {
  version: number;
  origin: SdpOrigin;
  sessionName: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  timing: SdpTiming[];
  timeZones?: string;
  key?: string;
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

/** The first value of attribute `name` in a list, undefined when absent, null for a property attribute. */
export function findAttribute(attributes: readonly SdpAttribute[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (const a of attributes) if (a.name.toLowerCase() === lower) return a.value;
  return undefined;
}

/** Every value of attribute `name` (value attributes only). */
export function findAttributes(attributes: readonly SdpAttribute[], name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const a of attributes) if (a.name.toLowerCase() === lower && a.value !== null) out.push(a.value);
  return out;
}

function cloneConnection(c: SdpConnection): SdpConnection {
  return { ...c };
}

function cloneAttributes(list: readonly SdpAttribute[]): SdpAttribute[] {
  return list.map((a) => ({ name: a.name, value: a.value }));
}

function cloneMedia(m: SdpMedia): SdpMedia {
  return {
    ...m,
    formats: m.formats.slice(),
    connections: m.connections.map(cloneConnection),
    bandwidths: m.bandwidths.map((b) => ({ ...b })),
    attributes: cloneAttributes(m.attributes),
  };
}

/**
 * A deep copy, so that derived descriptions never alias the negotiated ones. Written out field by
 * field: structuredClone was the hottest function of a UAS under load (bench/transactions).
 */
export function cloneSession(sdp: SessionDescription): SessionDescription {
  return {
    ...sdp,
    origin: { ...sdp.origin },
    emails: sdp.emails.slice(),
    phones: sdp.phones.slice(),
    ...(sdp.connection === undefined ? {} : { connection: cloneConnection(sdp.connection) }),
    bandwidths: sdp.bandwidths.map((b) => ({ ...b })),
    timing: sdp.timing.map((t) => ({ start: t.start, stop: t.stop, repeats: t.repeats.slice() })),
    attributes: cloneAttributes(sdp.attributes),
    media: sdp.media.map(cloneMedia),
  };
}
