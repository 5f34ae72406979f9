/**
 * Constant-time comparison of digests, so that the time a server takes to reject a response does
 * not tell an attacker how many leading characters were right (RFC 7616 section 5 discusses the
 * attacks on digest; comparison timing is the classic one).
 */
import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their lengths. Hex digests are compared after
 * lower-casing (RFC 7616 asks for lower-case hex, some old phones send upper case).
 */
export function timingSafeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  if (x.length !== y.length) {
    // Spend the same time as an equal-length comparison, then fail.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}
