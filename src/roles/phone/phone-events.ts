/**
 * What the phone reports: one typed event per thing that happens (a call rings, is answered,
 * held, transferred, ends; registration; what the speaker hears), each a plain object with an
 * `event` name so that the CLI prints it as one JSON line or one human-readable status line.
 * Every call event carries the call's phone-local id, its state and the remote party.
 */
import type { Hearing } from './phone-device.js';

export type PhoneCallState = 'dialing' | 'ringing' | 'incoming' | 'established' | 'held' | 'ended';

/** A call as the phone shows it (the `calls` command, and the fields of every call event). */
export interface CallSnapshot {
  /** The phone's id for the call ("1", "2", ...): what commands take. */
  readonly call: string;
  /** The SIP Call-ID. */
  readonly sipCallId: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly state: PhoneCallState;
  /** The other party (name-addr). */
  readonly remote: string;
  /** We hold the other party. */
  readonly held: boolean;
  /** The other party holds us. */
  readonly remoteHeld: boolean;
  /** The call the handset talks to (or one of the conference). */
  readonly current: boolean;
  readonly conference: boolean;
  /** What we send on this call: the microphone source, "mix" in a conference, or "nothing". */
  readonly sending: string;
  /** The tone detector on what this call receives (Hz), null when silent or not tonal. */
  readonly receivingHz: number | null;
}

export type RegistrationEventState = 'registering' | 'registered' | 'unregistered' | 'failed';

export type TransferPhase =
  | 'requested'
  | 'accepted'
  | 'rejected'
  | 'refer-accepted'
  | 'progress'
  | 'completed'
  | 'failed';

export type PhoneEvent =
  | {
      readonly event: 'started';
      readonly aor: string;
      readonly contact: string;
      readonly address: string;
      readonly port: number;
    }
  | { readonly event: 'stopped' }
  | {
      readonly event: 'registration';
      readonly state: RegistrationEventState;
      readonly registrar: string;
      readonly expires?: number;
      readonly status?: number;
      readonly reason?: string;
    }
  | (CallSnapshot & {
      readonly event: 'incoming';
      /** Another call is in progress (call waiting). */
      readonly waiting: boolean;
      readonly referredBy?: string;
      readonly requestedBy?: string;
      readonly replaces?: boolean;
    })
  | (CallSnapshot & {
      readonly event: 'dialing';
      readonly target: string;
      readonly route: 'default' | 'emergency' | 'direct';
      /** The dial plan template that matched, if any. */
      readonly template?: string;
    })
  | (CallSnapshot & { readonly event: 'progress'; readonly status: number; readonly reason: string })
  | (CallSnapshot & { readonly event: 'established' })
  | (CallSnapshot & { readonly event: 'held' | 'resumed' | 'remote-hold' | 'remote-resume' })
  | (CallSnapshot & {
      readonly event: 'ended';
      readonly reason: string;
      readonly by: 'local' | 'remote';
      readonly status: number | null;
      readonly text: string | null;
      /** A BYE with Also (the old transfer) carried these targets. */
      readonly also?: readonly string[];
    })
  | (CallSnapshot & {
      readonly event: 'transfer';
      readonly role: 'transferor' | 'transferee';
      readonly phase: TransferPhase;
      readonly target: string;
      readonly method?: 'refer' | 'also';
      readonly status?: number;
      readonly replaces?: boolean;
      /** The new call (transferee) or the consultation call (attended transferor). */
      readonly otherCall?: string;
    })
  | { readonly event: 'conference'; readonly calls: readonly string[]; readonly state: 'started' | 'ended' }
  | {
      readonly event: 'media';
      /** The current call, or null when the handset is idle. */
      readonly call: string | null;
      readonly state: string;
      readonly remote: string | null;
      readonly sending: string;
      readonly receiving: Hearing;
    }
  | (CallSnapshot & { readonly event: 'rtp'; readonly rtp: 'started' | 'stopped' })
  | (CallSnapshot & { readonly event: 'dtmf'; readonly digit: string })
  | { readonly event: 'check-sync'; readonly reboot: boolean }
  | { readonly event: 'message'; readonly from: string; readonly text: string }
  | { readonly event: 'warning'; readonly message: string };

export type PhoneEventName = PhoneEvent['event'];

/** The phone's Emitter map: every event by its own name, and all of them as 'event'. */
export type PhoneEvents = { [K in PhoneEventName]: [Extract<PhoneEvent, { event: K }>] } & {
  [event: string]: unknown[];
  event: [PhoneEvent];
};

/** The events about one call (those carrying a CallSnapshot). */
export type CallEvent = Extract<PhoneEvent, { sipCallId: string }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A call event without its snapshot fields (the phone adds them). */
export type CallEventFields = DistributiveOmit<CallEvent, keyof CallSnapshot>;
