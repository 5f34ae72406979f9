/**
 * One call as the phone holds it: the UA's Call (the SIP side), its MediaSession (RTP), the
 * phone-local id people type in commands, and the phone's own timers (ring timeout, auto-answer).
 * The state shown to users is derived from the UA call and the negotiated SDP, never stored
 * beside them (ARCHITECTURE.md principle 8): "held" is what the last offer/answer says.
 */
import type { MediaSession } from '../../media/index.js';
import type { Call } from '../../ua/index.js';
import type { TimerHandle } from '../../util/clock.js';
import type { CallSnapshot, PhoneCallState } from './phone-events.js';

export class PhoneCall {
  /** Pending phone timers (ring timeout, auto-answer); cancelled when the call ends. */
  readonly timers: TimerHandle[] = [];
  /** An auto-answer timer is set. */
  autoAnswering = false;
  /** In the local 3-way conference. */
  conference = false;
  /** A hold/resume exchange we started is in flight (commands wait for it). */
  busy: Promise<unknown> | undefined;
  /** Why we ended the call ourselves, when not a plain hang-up (e.g. 'ring-timeout'). */
  localCause: string | undefined;

  constructor(
    readonly id: string,
    readonly call: Call,
    readonly session: MediaSession,
  ) {}

  get state(): PhoneCallState {
    switch (this.call.state) {
      case 'calling':
      case 'proceeding':
        return 'dialing';
      case 'early':
        return this.call.direction === 'outgoing' ? 'ringing' : 'incoming';
      case 'incoming':
        return 'incoming';
      case 'established':
        return this.held ? 'held' : 'established';
      default:
        return 'ended';
    }
  }

  get ended(): boolean {
    return this.call.state === 'terminated' || this.call.state === 'terminating';
  }

  get established(): boolean {
    return this.call.state === 'established';
  }

  /** Ringing here, not answered yet. */
  get alerting(): boolean {
    return this.call.direction === 'incoming' && (this.call.state === 'incoming' || this.call.state === 'early');
  }

  /** We hold the other party (derived from the negotiated SDP). */
  get held(): boolean {
    return this.call.media.localHold;
  }

  get remoteHeld(): boolean {
    return this.call.media.remoteHold;
  }

  get remote(): string {
    return this.call.remoteIdentity.withoutParam('tag').toString();
  }

  clearTimers(): void {
    for (const t of this.timers.splice(0)) t.cancel();
  }

  snapshot(current: boolean, sending: string): CallSnapshot {
    return {
      call: this.id,
      sipCallId: this.call.callId,
      direction: this.call.direction,
      state: this.state,
      remote: this.remote,
      held: this.held,
      remoteHeld: this.remoteHeld,
      current,
      conference: this.conference,
      sending,
      receivingHz: roundOrNull(this.session.toneDetector?.stableReading.frequencyHz ?? null),
    };
  }
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}
