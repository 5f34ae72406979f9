/**
 * diagnostics_channel channels of the transaction layer (ARCHITECTURE.md principle 13): ladder
 * views, metrics and tests subscribe; the layer publishes only when someone listens.
 */
import diagnostics from 'node:diagnostics_channel';

export const TRANSACTION_STATE_CHANNEL = 'sip:transaction:state';

export interface TransactionStateEvent {
  /** Transaction id: the key the layer matches on. */
  readonly id: string;
  readonly kind: 'ICT' | 'NICT' | 'IST' | 'NIST';
  readonly method: string;
  readonly branch: string;
  readonly callId: string | undefined;
  readonly from: string;
  readonly to: string;
  /** Clock.now() at the transition. */
  readonly time: number;
}

export const transactionStateChannel = diagnostics.channel(TRANSACTION_STATE_CHANNEL);
