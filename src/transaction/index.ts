/** The transaction layer: RFC 3261 section 17 client and server transactions and their matching. */
export { ClientTransaction } from './client-transaction.js';
export { TRANSACTION_STATE_CHANNEL, type TransactionStateEvent, transactionStateChannel } from './diagnostics.js';
export { type InviteClientState, InviteClientTransaction } from './invite-client-transaction.js';
export { type InviteServerState, InviteServerTransaction } from './invite-server-transaction.js';
export { ackKey, clientKey, isRfc3261Branch, serverKey } from './keys.js';
export { type NonInviteClientState, NonInviteClientTransaction } from './non-invite-client-transaction.js';
export { type NonInviteServerState, NonInviteServerTransaction } from './non-invite-server-transaction.js';
export { type RespondOptions, ServerTransaction, type ServerTransactionEvents } from './server-transaction.js';
export { DEFAULT_TIMER_BASE, type TimerBase, type TimerName, type TimerValues, timerValues } from './timers.js';
export type { TransactionKind } from './transaction.js';
export {
  type RequestOutcome,
  type SendRequestOptions,
  TransactionLayer,
  type TransactionLayerOptions,
  type TransactionStats,
} from './transaction-layer.js';
export {
  type ClientTransactionFailure,
  type ClientTransactionUser,
  TransactionStateError,
  type TransactionUser,
} from './types.js';
