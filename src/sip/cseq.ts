/** CSeq (RFC 3261 section 20.16): a sequence number below 2**31 when generated, up to 2**32-1 accepted. */
import { SipParseError } from './errors.js';
import { clip, isToken, parseDigits } from './grammar.js';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export const MAX_CSEQ = 0xffffffff;

export function parseCSeq(s: string): CSeq {
  const t = s.trim();
  let sp = 0;
  while (sp < t.length && t.charCodeAt(sp) !== 0x20 && t.charCodeAt(sp) !== 0x09) sp++;
  if (sp === t.length) sp = -1;
  if (sp < 0) throw new SipParseError(400, `CSeq: malformed "${clip(t)}"`);
  const seq = parseDigits(t.slice(0, sp), MAX_CSEQ, 'CSeq number');
  const method = t.slice(sp).trim();
  if (!isToken(method)) throw new SipParseError(400, `CSeq: bad method "${clip(method)}"`);
  return { seq, method };
}

export function printCSeq(c: CSeq): string {
  return `${c.seq} ${c.method}`;
}
