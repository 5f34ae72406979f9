/**
 * Stateless nonces bound to time and realm with a server secret (RFC 7616 section 3.3 suggests
 * "time-stamp H(time-stamp ":" ETag ":" secret-data)"; this is the SIP form):
 *
 *   nonce = base64( timestamp (8 bytes, ms since the epoch, big-endian)
 *                || sequence (4 bytes, per issuer, big-endian) || random (8 bytes)
 *                || HMAC-SHA256(secret, timestamp || sequence || random || realm) truncated to 16 bytes )
 *
 * 36 bytes, 48 base64 characters with no padding. Timestamp and sequence order the nonces of an
 * issuer totally, which the nc tracker needs when it has to forget some (nonce-counts.ts). The server verifies a nonce it issued without
 * storing it: the MAC proves it is ours and for this realm, the timestamp gives its age. Nonces
 * made with a previous secret (after a key rotation) verify as expired, so clients that hold one
 * are answered stale=true instead of being told their password is wrong.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceStatus = 'valid' | 'expired' | 'invalid';

export interface NonceCheck {
  readonly status: NonceStatus;
  /** Wall-clock time of issue (ms); set unless invalid. */
  readonly issuedAt?: number;
  /** Timestamp and sequence as one number that orders nonces by issue; set unless invalid. */
  readonly order?: bigint;
}

const TS_BYTES = 8;
const SEQ_BYTES = 4;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const HEAD = TS_BYTES + SEQ_BYTES + RANDOM_BYTES;
const TOTAL = HEAD + MAC_BYTES;
const NONCE_RE = /^[A-Za-z0-9+/]{48}$/;
/** Nonces dated this far in the future are forgeries or another server's clock; rejected. */
const FUTURE_SKEW_MS = 60_000;

export interface NonceIssuerOptions {
  readonly secret: Uint8Array;
  /** Secrets accepted for verification only (key rotation); their nonces verify as expired. */
  readonly previousSecrets?: readonly Uint8Array[];
  readonly lifetimeMs: number;
}

export class NonceIssuer {
  readonly #secret: Uint8Array;
  readonly #previous: readonly Uint8Array[];
  readonly lifetimeMs: number;
  #seq = 0;

  constructor(options: NonceIssuerOptions) {
    this.#secret = options.secret;
    this.#previous = options.previousSecrets ?? [];
    this.lifetimeMs = options.lifetimeMs;
  }

  /** A fresh nonce for `realm`, issued at wall-clock time `now` (ms). */
  issue(realm: string, now: number): string {
    const head = Buffer.alloc(HEAD);
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(now))), 0);
    head.writeUInt32BE(this.#seq, TS_BYTES);
    this.#seq = (this.#seq + 1) >>> 0;
    randomBytes(RANDOM_BYTES).copy(head, TS_BYTES + SEQ_BYTES);
    return Buffer.concat([head, mac(this.#secret, head, realm)]).toString('base64');
  }

  /** Whether `nonce` was issued by this server for `realm`, and whether it is still fresh at `now`. */
  check(nonce: string, realm: string, now: number): NonceCheck {
    if (!NONCE_RE.test(nonce)) return { status: 'invalid' };
    const bytes = Buffer.from(nonce, 'base64');
    if (bytes.length !== TOTAL) return { status: 'invalid' };
    const head = bytes.subarray(0, HEAD);
    const tag = bytes.subarray(HEAD);
    const ts = head.readBigUInt64BE(0);
    const issuedAt = Number(ts);
    const order = (ts << 32n) | BigInt(head.readUInt32BE(TS_BYTES));
    if (timingSafeEqual(tag, mac(this.#secret, head, realm))) {
      if (issuedAt > now + FUTURE_SKEW_MS) return { status: 'invalid' };
      return { status: now - issuedAt > this.lifetimeMs ? 'expired' : 'valid', issuedAt, order };
    }
    for (const old of this.#previous) {
      if (timingSafeEqual(tag, mac(old, head, realm))) return { status: 'expired', issuedAt, order };
    }
    return { status: 'invalid' };
  }
}

function mac(secret: Uint8Array, head: Uint8Array, realm: string): Buffer {
  return createHmac('sha256', secret).update(head).update(realm, 'utf8').digest().subarray(0, MAC_BYTES);
}
