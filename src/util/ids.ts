/**
 * Identifiers with the randomness RFC 3261 asks for: branch parameters starting with the magic
 * cookie z9hG4bK (section 8.1.1.7), tags of at least 32 random bits (section 19.3), and Call-IDs
 * that are globally unique (section 8.1.1.4). Random bytes are drawn from a pooled buffer so that
 * a busy proxy does not pay one crypto call per identifier.
 */
import { randomFillSync } from 'node:crypto';

export const MAGIC_COOKIE = 'z9hG4bK';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** A random token of `length` characters from [0-9a-zA-Z] (about 5.95 bits each). */
export function randomToken(length = 16): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[(bytes[i] as number) % 62];
  return s;
}

/** A Via branch for a new client transaction: magic cookie plus 96 random bits or more. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomToken(16);
}

/** A From/To tag (section 19.3): 10 characters, about 59 random bits. */
export function newTag(): string {
  return randomToken(10);
}

/** A Call-ID, optionally qualified with a host as in section 8.1.1.4 (`local@host`). */
export function newCallId(host?: string): string {
  const local = randomToken(20);
  return host ? `${local}@${host}` : local;
}
