/**
 * The event list of an RFC 4733 telephone-event fmtp (section 7.1.1): comma-separated event codes
 * and ranges such as "0-15" or "0-16,66,70". Events 0-15 are the DTMF digits 0-9 * # A-D and 16
 * is flash (RFC 4733 section 3.2, table 3); "0-15" and "0-16" are what phones usually announce.
 */

/** Parses an event list into a sorted set of codes; null when the text is not an event list. */
export function parseEventList(text: string): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,3})(?:-(\d{1,3}))?\s*$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 255 || hi > 255 || hi < lo) return null;
    for (let e = lo; e <= hi; e++) out.add(e);
  }
  return [...out].sort((a, b) => a - b);
}

/** Writes a sorted set of codes back as ranges ("0-15,66"). */
export function formatEventList(events: readonly number[]): string {
  const sorted = [...new Set(events)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const lo = sorted[i] as number;
    let hi = lo;
    while (i + 1 < sorted.length && sorted[i + 1] === hi + 1) hi = sorted[++i] as number;
    parts.push(lo === hi ? `${lo}` : `${lo}-${hi}`);
    i++;
  }
  return parts.join(',');
}

/** Events present in both lists. */
export function intersectEvents(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((e) => set.has(e));
}
