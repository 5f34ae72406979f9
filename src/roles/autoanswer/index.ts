/**
 * The auto-answer role: a UAS that answers every INVITE (100, 180, 200), handles ACK and BYE, and
 * counts what reached its UA core. Used by the SIPp interop tests, bench/transactions and
 * `switchboard uas`.
 */
export { type AutoAnswerOptions, type AutoAnswerStats, AutoAnswerUas } from './auto-answer-uas.js';
export { InviteCounter, type InviteCounts } from './invite-counter.js';
export { type LeanAutoAnswerOptions, LeanAutoAnswerUas } from './lean-auto-answer-uas.js';
export { SignallingMedia, type SignallingMediaOptions } from './signalling-media.js';
