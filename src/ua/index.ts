/** The UA layer: calls (INVITE sessions), transfer, registration, and the UA core that dispatches requests. */
export { Call } from './call.js';
export type { CallEvents, IncomingTransfer, TransferNotifier } from './call-events.js';
export { CallTransfer, parseSipfragStatus, referToWithReplaces } from './call-transfer.js';
export { OutgoingRequestFlow, type OutgoingRequestHandlers } from './outgoing-request.js';
export {
  type RegisterResult,
  Registration,
  type RegistrationEvents,
  type RegistrationOptions,
  type RegistrationState,
} from './registration.js';
export { resolveLiteral } from './resolver.js';
export type {
  CallEnd,
  CallEndReason,
  CallResult,
  CallState,
  ReferProgress,
  ReinviteResult,
  RemoteAnswerResult,
  RemoteOfferResult,
  RequestAuthenticator,
  Resolver,
  SessionMedia,
  TransferResult,
  TransferTarget,
} from './types.js';
export type { UaContext } from './ua-context.js';
export { type CallOptions, type UaEvents, UserAgent, type UserAgentOptions } from './user-agent.js';
