/**
 * Where the header section of a message ends: the first empty line (RFC 3261 section 7). The
 * line ends are CRLF on the wire; bare LFs are tolerated as many stacks do, so the empty line is
 * any of CRLF CRLF, LF LF, LF CRLF and CRLF LF.
 */
export interface HeaderEnd {
  /** Index of the line end that closes the last header line (the head is [start, end)). */
  readonly end: number;
  /** Index of the first body byte. */
  readonly bodyStart: number;
}

export function findHeaderEnd(buf: Uint8Array, from = 0): HeaderEnd | undefined {
  const len = buf.length;
  let i = buf.indexOf(0x0a, from);
  while (i >= 0 && i + 1 < len) {
    const next = buf[i + 1];
    if (next === 0x0a) return { end: i > 0 && buf[i - 1] === 0x0d ? i - 1 : i, bodyStart: i + 2 };
    if (next === 0x0d && i + 2 < len && buf[i + 2] === 0x0a) {
      return { end: i > 0 && buf[i - 1] === 0x0d ? i - 1 : i, bodyStart: i + 3 };
    }
    i = buf.indexOf(0x0a, i + 1);
  }
  return undefined;
}
