/**
 * Admission of inbound stream connections: at most maxPerIp open connections from one source
 * address and maxTotal overall, so that one host cannot exhaust descriptors (Kamailio's
 * tcp_max_connections and the per-IP limits of its pike/ratelimit modules). A connection over
 * the limit is refused by closing it at once, before any TLS handshake.
 */
import { normalizeAddress } from './addresses.js';

export class ConnectionLimiter {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerIp: number,
    private readonly maxTotal: number,
  ) {}

  /** Counts a connection from `address` and returns true, or returns false when a limit is reached. */
  admit(address: string): boolean {
    const ip = normalizeAddress(address);
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.maxPerIp || this.total >= this.maxTotal) return false;
    this.perIp.set(ip, n + 1);
    this.total++;
    return true;
  }

  /** Forgets one admitted connection from `address`. */
  release(address: string): void {
    const ip = normalizeAddress(address);
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 0) return;
    if (n === 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
    this.total--;
  }

  count(address?: string): number {
    return address === undefined ? this.total : (this.perIp.get(normalizeAddress(address)) ?? 0);
  }
}
