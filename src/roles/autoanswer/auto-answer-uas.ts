/**
 * The auto-answer role: a UAS that answers every call (RFC 3261 section 13.3), the far end of
 * SIPp interop tests, load tests and the transaction benchmark, and `switchboard uas`.
 *
 *   INVITE  ->  100 Trying (at once, by the INVITE server transaction)
 *           <-  180 Ringing after ringMs, 200 OK with an SDP answer answerMs later
 *   ACK     ->  (the 2xx is retransmitted until it arrives, section 13.3.1.4)
 *   BYE     ->  200 OK; or we send BYE ourselves hangupAfterMs after answering
 *
 * It is a whole stack on its own sockets: TransportManager, TransactionLayer, and the UA core
 * (UserAgent + Call), with an InviteCounter between the last two so that tests can check that
 * each INVITE reached the UA core exactly once whatever the network lost. Media is signalling
 * only (SignallingMedia: real offer/answer, no RTP socket).
 */

import { type TimerBase, TransactionLayer, type TransactionStats } from '../../transaction/index.js';
import {
  type ListenSpec,
  type LocalEndpoint,
  TransportManager,
  type TransportManagerOptions,
} from '../../transport/index.js';
import { type Call, type CallEndReason, UserAgent } from '../../ua/index.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { RealClock } from '../../util/clock.js';
import { ConfigError } from '../../util/errors.js';
import { type Logger, nullLogger } from '../../util/logger.js';
import { InviteCounter, type InviteCounts } from './invite-counter.js';
import { SignallingMedia } from './signalling-media.js';

export interface AutoAnswerOptions {
  /** The sockets to answer on (at least one). */
  readonly listen: readonly ListenSpec[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Delay from the INVITE to 180 Ringing (default 0). */
  readonly ringMs?: number;
  /** Delay from 180 Ringing to 200 OK (default 0). */
  readonly answerMs?: number;
  /** Send BYE this long after the 200 OK (default: never; the caller hangs up). */
  readonly hangupAfterMs?: number;
  /** Our identity (From of our BYEs, user of the Contact); default sip:uas@<first endpoint>. */
  readonly identity?: string;
  /** T1, T2, T4 of the transaction layer. */
  readonly timers?: Partial<TimerBase>;
  readonly transport?: TransportManagerOptions;
  /** Keep a count per Call-ID of the INVITEs that reached the UA core (tests; costs memory). */
  readonly countPerCallId?: boolean;
  /** Server / User-Agent header value (default "Switchboard autoanswer"). */
  readonly userAgent?: string;
}

export interface AutoAnswerStats extends InviteCounts {
  readonly ringing: number;
  readonly answered: number;
  /** ACKs of our 2xx received (the call is confirmed). */
  readonly confirmed: number;
  /** Calls ended, by reason. */
  readonly ended: Readonly<Partial<Record<CallEndReason, number>>>;
  /** Calls ended by a BYE we received. */
  readonly endedByRemoteBye: number;
  /** Calls in progress or established now. */
  readonly activeCalls: number;
  readonly dialogs: number;
  readonly transactions: TransactionStats;
}

function delay(name: string, value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(name, `must be a number of milliseconds >= 0, not ${value}`);
  return value;
}

export class AutoAnswerUas {
  readonly transport: TransportManager;
  readonly transactions: TransactionLayer;
  private uaValue: UserAgent | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly userAgent: string;
  private readonly countPerCallId: boolean;
  private counter = new InviteCounter({ onRequest: () => {} });
  private readonly ringMs: number;
  private readonly answerMs: number;
  private readonly hangupAfterMs: number | undefined;
  private readonly identity: string | undefined;
  private ringing = 0;
  private answered = 0;
  private confirmed = 0;
  private endedByRemoteBye = 0;
  private readonly ended: Partial<Record<CallEndReason, number>> = {};

  constructor(options: AutoAnswerOptions) {
    if (options.listen.length === 0) throw new ConfigError('listen', 'at least one listen address is needed');
    this.clock = options.clock ?? new RealClock();
    this.ringMs = delay('ringMs', options.ringMs, 0) as number;
    this.answerMs = delay('answerMs', options.answerMs, 0) as number;
    this.hangupAfterMs = delay('hangupAfterMs', options.hangupAfterMs, undefined);
    const logger = options.logger ?? nullLogger;
    this.transport = new TransportManager({
      listen: options.listen,
      clock: this.clock,
      logger,
      ...(options.transport ? { options: options.transport } : {}),
    });
    // tryingDelayMs 0: the INVITE server transaction sends 100 Trying as soon as the INVITE
    // arrives, before any ring delay (section 17.2.1), as Kamailio and SIPp's uas do.
    this.transactions = new TransactionLayer({
      transport: this.transport,
      clock: this.clock,
      logger,
      tryingDelayMs: 0,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.identity = options.identity;
    this.userAgent = options.userAgent ?? 'Switchboard autoanswer';
    this.logger = logger;
    this.countPerCallId = options.countPerCallId ?? false;
  }

  /** The UA core (from start() on). */
  get ua(): UserAgent {
    if (!this.uaValue) throw new ConfigError('autoanswer', 'start() first');
    return this.uaValue;
  }

  /** Binds the sockets and starts answering. */
  async start(): Promise<void> {
    if (this.uaValue) return;
    await this.transport.start();
    const ep = this.transport.endpoints()[0] as LocalEndpoint;
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    const ua = new UserAgent({
      transactions: this.transactions,
      // The AOR only names us in From of our own BYEs; the Contact comes from the endpoint.
      identity: this.identity ?? `sip:uas@${host}:${ep.port}`,
      clock: this.clock,
      logger: this.logger,
      userAgent: this.userAgent,
      createMedia: () => new SignallingMedia({ address: this.mediaAddress() }),
    });
    // The UA core registered itself as the transaction user; put the counter in front of it.
    this.counter = new InviteCounter(ua, { perCallId: this.countPerCallId });
    this.transactions.setUser(this.counter);
    ua.events.on('incomingCall', (call) => this.handle(call));
    this.uaValue = ua;
  }

  /** Ends every call and transaction and closes the sockets. */
  async stop(): Promise<void> {
    this.uaValue?.close();
    this.transactions.close();
    await this.transport.stop();
  }

  endpoints(): readonly LocalEndpoint[] {
    return this.transport.endpoints();
  }

  /** The endpoint of one transport (throws when we do not listen on it). */
  endpoint(transport: 'udp' | 'tcp' | 'tls'): LocalEndpoint {
    const ep = this.transport.localEndpoint(transport);
    if (!ep) throw new ConfigError('listen', `no ${transport} listener`);
    return ep;
  }

  /** How many dialog-creating INVITEs with this Call-ID reached the UA core (countPerCallId). */
  invitesFor(callId: string): number {
    return this.counter.countFor(callId);
  }

  /** Call-IDs whose INVITE reached the UA core more than once (countPerCallId). */
  repeatedInvites(): [callId: string, count: number][] {
    return this.counter.repeatedCalls();
  }

  stats(): AutoAnswerStats {
    return {
      ...this.counter.counts(),
      ringing: this.ringing,
      answered: this.answered,
      confirmed: this.confirmed,
      ended: { ...this.ended },
      endedByRemoteBye: this.endedByRemoteBye,
      activeCalls: this.uaValue?.activeCalls().length ?? 0,
      dialogs: this.uaValue?.dialogs.size ?? 0,
      transactions: this.transactions.stats(),
    };
  }

  private mediaAddress(): string {
    const ep = this.transport.endpoints()[0];
    const host = ep?.host ?? '127.0.0.1';
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  private handle(call: Call): void {
    const timers: TimerHandle[] = [];
    const later = (ms: number, fn: () => void): void => {
      if (ms <= 0) fn();
      else timers.push(this.clock.setTimer(ms, fn));
    };
    call.events.once('confirmed', () => this.confirmed++);
    call.events.once('ended', (end) => {
      for (const t of timers) t.cancel();
      this.ended[end.reason] = (this.ended[end.reason] ?? 0) + 1;
      if (end.reason === 'bye' && end.by === 'remote') this.endedByRemoteBye++;
    });
    later(this.ringMs, () => {
      if (!call.ring()) return;
      this.ringing++;
      later(this.answerMs, () => {
        if (!call.answer()) return;
        this.answered++;
        const hangup = this.hangupAfterMs;
        if (hangup !== undefined) later(hangup, () => call.hangup());
      });
    });
  }
}
