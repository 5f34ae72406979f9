/**
 * Errors of the digest authentication layer. Bad credentials from the network never throw: the
 * server answers them with a SIP response and the client returns a typed result. These errors are
 * for programming and configuration mistakes only (an algorithm name nobody defined, a HA1 of the
 * wrong length handed in by a store).
 */
import { SwitchboardError } from '../util/errors.js';

/** An algorithm name that is not one of RFC 7616 section 6.1's. */
export class DigestAlgorithmError extends SwitchboardError {
  constructor(readonly algorithm: string) {
    super('ERR_AUTH_ALGORITHM', `unsupported digest algorithm "${algorithm}"`);
  }
}

/** A precomputed HA1 that is not lower-case hex of the algorithm's length. */
export class DigestHa1Error extends SwitchboardError {
  constructor(readonly algorithm: string) {
    super('ERR_AUTH_HA1', `HA1 for ${algorithm} must be lower-case hex of the hash's length`);
  }
}
