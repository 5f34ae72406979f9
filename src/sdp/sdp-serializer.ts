/**
 * SDP serializer: writes a SessionDescription with CRLF line ends in the field order RFC 8866
 * section 5 prescribes (v o s i u e p c b t r z k a, then per media m i c b k a). parseSdp
 * followed by serializeSdp reproduces any body already in that canonical order.
 */
import type { SdpAttribute, SdpBandwidth, SdpConnection, SdpMedia, SessionDescription } from './sdp-model.js';

const CRLF = '\r\n';

export function serializeConnection(c: SdpConnection): string {
  let s = `${c.netType} ${c.addrType} ${c.address}`;
  if (c.ttl !== undefined) s += `/${c.ttl}`;
  if (c.count !== undefined) s += `/${c.count}`;
  return s;
}

function bandwidth(b: SdpBandwidth): string {
  return `b=${b.type}:${b.value}${CRLF}`;
}

function attribute(a: SdpAttribute): string {
  return a.value === null ? `a=${a.name}${CRLF}` : `a=${a.name}:${a.value}${CRLF}`;
}

function mediaSection(m: SdpMedia): string {
  const port = m.portCount === undefined ? `${m.port}` : `${m.port}/${m.portCount}`;
  const fmts = m.formats.length > 0 ? ` ${m.formats.join(' ')}` : '';
  let s = `m=${m.type} ${port} ${m.protocol}${fmts}${CRLF}`;
  if (m.information !== undefined) s += `i=${m.information}${CRLF}`;
  for (const c of m.connections) s += `c=${serializeConnection(c)}${CRLF}`;
  for (const b of m.bandwidths) s += bandwidth(b);
  if (m.key !== undefined) s += `k=${m.key}${CRLF}`;
  for (const a of m.attributes) s += attribute(a);
  return s;
}

/** Writes the session description as SDP text (CRLF line ends, final CRLF included). */
export function serializeSdp(sdp: SessionDescription): string {
  const o = sdp.origin;
  let s = `v=${sdp.version}${CRLF}`;
  s += `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}${CRLF}`;
  s += `s=${sdp.sessionName}${CRLF}`;
  if (sdp.information !== undefined) s += `i=${sdp.information}${CRLF}`;
  if (sdp.uri !== undefined) s += `u=${sdp.uri}${CRLF}`;
  for (const e of sdp.emails) s += `e=${e}${CRLF}`;
  for (const p of sdp.phones) s += `p=${p}${CRLF}`;
  if (sdp.connection) s += `c=${serializeConnection(sdp.connection)}${CRLF}`;
  for (const b of sdp.bandwidths) s += bandwidth(b);
  for (const t of sdp.timing) {
    s += `t=${t.start} ${t.stop}${CRLF}`;
    for (const r of t.repeats) s += `r=${r}${CRLF}`;
  }
  if (sdp.timeZones !== undefined) s += `z=${sdp.timeZones}${CRLF}`;
  if (sdp.key !== undefined) s += `k=${sdp.key}${CRLF}`;
  for (const a of sdp.attributes) s += attribute(a);
  for (const m of sdp.media) s += mediaSection(m);
  return s;
}
