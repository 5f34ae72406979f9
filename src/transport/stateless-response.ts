/**
 * Stateless error responses to requests the transport cannot hand up (RFC 3261 sections 8.2.6
 * and 16.3 step 1 answered by the layer that found the problem, as Kamailio's sl module does):
 * a 400 (or the status the parse error names: 505, 501, 513) carrying copies of the raw Via,
 * From, To, Call-ID and CSeq lines so the client can match it to its transaction, a To tag when
 * To had none (section 8.2.6.2), and a Warning with the reason (section 20.43, code 399).
 * Copied lines that do not parse are left out; nothing is sent without a usable Via (the client
 * could not match it) nor to an ACK (section 17: ACKs are never answered).
 */
import { headerKeyOf, OutgoingResponse, reasonPhrase } from '../sip/index.js';
import { newTag } from '../util/ids.js';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

export interface RawRequestHead {
  readonly method: string;
  readonly lines: readonly { readonly name: string; readonly value: string }[];
}

/** The error response for a request that failed, or undefined when none may be sent. */
export function statelessResponse(
  head: RawRequestHead,
  status: number,
  reason: string,
  warnAgent: string,
): OutgoingResponse | undefined {
  if (head.method.toUpperCase() === 'ACK') return undefined;
  const copied = head.lines.filter((l) => COPIED.has(headerKeyOf(l.name) ?? ''));
  if (!copied.some((l) => headerKeyOf(l.name) === 'via')) return undefined;
  const response = new OutgoingResponse(status, reasonPhrase(status));
  for (const line of copied) {
    let value = line.value;
    if (headerKeyOf(line.name) === 'to' && !/;\s*tag\s*=/i.test(value)) value = `${value};tag=${newTag()}`;
    try {
      response.appendRaw(line.name, value);
    } catch {
      // A line the builder refuses (control characters): the response goes without it.
    }
  }
  // A copied line that does not parse would make the whole response unreadable: leave it out.
  for (const key of ['from', 'to', 'call-id', 'cseq', 'via'] as const) {
    if (!response.tryGet(key).ok) response.remove(key);
  }
  if (!response.has('via')) return undefined;
  const text = reason
    .replace(/[\u0000-\u001f\u007f"\\]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 160);
  response.appendRaw('Warning', `399 ${warnAgent} "${text}"`);
  return response;
}
