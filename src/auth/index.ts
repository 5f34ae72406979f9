/**
 * Digest authentication (RFC 2617, RFC 7616, RFC 8760; RFC 3261 section 22), shared by the
 * phone (DigestClient), the proxy and the registrar (DigestServer). Other layers import only
 * from here. Declares UserLookup, which the store layer implements.
 */

export {
  algorithmOf,
  algorithmStrength,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestHash,
  hashHex,
  hashOf,
  isSessionAlgorithm,
  parseAlgorithm,
} from './algorithm.js';
export { type AorAuthorizationOptions, authorizedForAor } from './aor-authorization.js';
export { type ChallengeInit, challengeValue, type DigestChallenge, parseChallenge } from './challenge.js';
export { consumeCredentials } from './consume-credentials.js';
export {
  type CredentialsInit,
  credentialsValue,
  type DigestCredentials,
  type ParsedCredentials,
  parseCredentials,
} from './credentials.js';
export {
  type AlgorithmSelection,
  type AnsweredChallenge,
  type AuthenticationInfoResult,
  type AuthenticationInfoStatus,
  type ChallengeFailureReason,
  type ChallengeResult,
  type ClientCredentials,
  type CredentialsProvider,
  DigestClient,
  type DigestClientOptions,
} from './digest-client.js';
export {
  computeHa1,
  computeHa2,
  computeResponse,
  computeRspauth,
  computeUserhash,
  type DigestInput,
  type DigestQop,
  formatNc,
  isHa1,
  parseNc,
  sessionHa1,
} from './digest-math.js';
export {
  type ChallengeOptions,
  DigestServer,
  type DigestServerOptions,
  type VerifyFailure,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
  type VerifySuccess,
} from './digest-server.js';
export { digestUriMatches } from './digest-uri.js';
export { DigestAlgorithmError, DigestHa1Error } from './errors.js';
export { NonceCountTracker, type NonceCountVerdict } from './nonce-counts.js';
export { type NonceCheck, NonceIssuer, type NonceIssuerOptions, type NonceStatus } from './nonce-issuer.js';
export { timingSafeEqualHex } from './timing-safe.js';
export { InMemoryUserLookup, type UserLookup } from './user-lookup.js';
