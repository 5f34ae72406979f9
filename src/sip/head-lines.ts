/**
 * The header section split into its start line and header lines (RFC 3261 section 7.3): names
 * matched against the registry in place, values trimmed of linear white space, folded lines
 * joined (section 7.3.1). A malformed line is reported and the others kept, so that a stateless
 * error response can still copy Via, From, To, Call-ID and CSeq.
 */
import { SipParseError } from './errors.js';
import { clip, isToken } from './grammar.js';
import type { HeaderLine } from './header-block.js';
import { headerFormAt, headerKeyOf } from './registry.js';

const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;

function isLws(c: number): boolean {
  return c === SP || c === HT;
}

/** One header line: name and value text, the value trimmed of linear white space. */
function headerLine(text: string, from: number, to: number): HeaderLine | SipParseError {
  const colon = text.indexOf(':', from);
  if (colon < 0 || colon >= to || colon === from) {
    return new SipParseError(400, `header line without a name and ':': "${clip(text.slice(from, to))}"`);
  }
  let nameEnd = colon;
  while (nameEnd > from && isLws(text.charCodeAt(nameEnd - 1))) nameEnd--;
  let vs = colon + 1;
  let ve = to;
  while (vs < ve && isLws(text.charCodeAt(vs))) vs++;
  while (ve > vs && (isLws(text.charCodeAt(ve - 1)) || text.charCodeAt(ve - 1) === CR)) ve--;
  const form = headerFormAt(text, from, nameEnd);
  const name = form === undefined ? text.slice(from, nameEnd) : form[0];
  const key = form === undefined ? headerKeyOf(name) : form[1];
  if (key === undefined && !isToken(name)) return new SipParseError(400, `bad header name "${clip(name)}"`);
  // The same shape as rawLine() builds, so that every HeaderLine shares one hidden class.
  return {
    name,
    key: key ?? name.toLowerCase(),
    known: key !== undefined,
    raw: text.slice(vs, ve),
    values: undefined,
    error: undefined,
  };
}

export interface Head {
  readonly startLine: string;
  readonly lines: HeaderLine[];
  /** The first malformed line; the well-formed ones are still in `lines`. */
  readonly error: SipParseError | undefined;
  /** True when every line ended in CRLF and none was folded. */
  readonly plain: boolean;
  /** True when a line ended in a bare LF. */
  readonly bareLf: boolean;
}

/**
 * Splits the header section into its start line and unfolded header lines (section 7.3.1: a
 * line starting with SP or HT continues the previous header line).
 */
export function splitHead(text: string): Head {
  const len = text.length;
  let plain = true;
  let bareLf = false;
  let nl = text.indexOf('\n');
  if (nl < 0) nl = len;
  else if (nl === 0 || text.charCodeAt(nl - 1) !== CR) {
    plain = false;
    bareLf = true;
  }
  const startLine = text.slice(0, nl > 0 && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl);
  const lines: HeaderLine[] = [];
  let error: SipParseError | undefined;
  let pos = nl + 1;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    else if (text.charCodeAt(end - 1) !== CR) {
      plain = false;
      bareLf = true;
    }
    let next = end + 1;
    let c = next < len ? text.charCodeAt(next) : 0;
    if (c === SP || c === HT) {
      // Folded: join the continuation lines with one space each (section 7.3.1).
      plain = false;
      let joined = text.slice(pos, end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end);
      while (c === SP || c === HT) {
        let e = text.indexOf('\n', next);
        if (e < 0) e = len;
        else if (text.charCodeAt(e - 1) !== CR) bareLf = true;
        joined += ` ${text.slice(next, e).trim()}`;
        next = e + 1;
        c = next < len ? text.charCodeAt(next) : 0;
      }
      const line = headerLine(joined, 0, joined.length);
      if (line instanceof SipParseError) error ??= line;
      else lines.push(line);
      pos = next;
      continue;
    }
    // The usual line, read in place: name, colon, value.
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon >= end || colon === pos) {
      error ??= new SipParseError(400, `header line without a name and ':': "${clip(text.slice(pos, end))}"`);
      pos = next;
      continue;
    }
    let nameEnd = colon;
    while (nameEnd > pos && isLws(text.charCodeAt(nameEnd - 1))) nameEnd--;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isLws(text.charCodeAt(vs))) vs++;
    while (ve > vs && (isLws(text.charCodeAt(ve - 1)) || text.charCodeAt(ve - 1) === CR)) ve--;
    const form = headerFormAt(text, pos, nameEnd);
    if (form !== undefined) {
      // Same shape as rawLine(), so that every HeaderLine shares one hidden class.
      lines.push({
        name: form[0],
        key: form[1],
        known: true,
        raw: text.slice(vs, ve),
        values: undefined,
        error: undefined,
      });
    } else {
      const line = headerLine(text, pos, end);
      if (line instanceof SipParseError) error ??= line;
      else lines.push(line);
    }
    pos = next;
  }
  return { startLine, lines, error, plain, bareLf };
}
