/**
 * The auto-answer role built directly on the transaction layer and a DialogTable, without the UA
 * core: the same ladder as AutoAnswerUas (100 at once from the INVITE server transaction, 180
 * after ringMs, 200 with an SDP answer after answerMs retransmitted until the ACK, BYE answered or
 * sent after hangupAfterMs), the same request validation (section 8.2) and the same offer/answer
 * (SignallingMedia), but no Call objects, events or transfer machinery. It exists to measure what
 * the UA layer costs (bench/transactions) and for load tests that need nothing else; it refuses
 * what a UA core would handle and it does not (re-INVITE 488, REFER 501, others 405).
 */
import { Dialog, DialogTable } from '../../dialog/index.js';
import {
  type IncomingRequest,
  NameAddr,
  type OutgoingResponse,
  Params,
  responseTo,
  SipUri,
  validateRequest,
} from '../../sip/index.js';
import {
  type InviteServerTransaction,
  type ServerTransaction,
  type TimerBase,
  TransactionLayer,
  type TransactionUser,
} from '../../transaction/index.js';
import {
  type ListenSpec,
  type LocalEndpoint,
  TransportManager,
  type TransportManagerOptions,
} from '../../transport/index.js';
import { resolveLiteral } from '../../ua/index.js';
import { type Clock, RealClock, type TimerHandle } from '../../util/clock.js';
import { ConfigError } from '../../util/errors.js';
import { newTag } from '../../util/ids.js';
import { type Logger, nullLogger } from '../../util/logger.js';
import type { AutoAnswerStats } from './auto-answer-uas.js';
import { InviteCounter } from './invite-counter.js';
import { SignallingMedia } from './signalling-media.js';

export interface LeanAutoAnswerOptions {
  readonly listen: readonly ListenSpec[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly ringMs?: number;
  readonly answerMs?: number;
  readonly hangupAfterMs?: number;
  readonly timers?: Partial<TimerBase>;
  readonly transport?: TransportManagerOptions;
  readonly countPerCallId?: boolean;
  readonly userAgent?: string;
}

const METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS']);
const ALLOW = [...METHODS].join(', ');

/** One incoming call: its INVITE transaction until answered, its dialog, its pending timers. */
interface LeanCall {
  readonly request: IncomingRequest;
  readonly tx: InviteServerTransaction;
  readonly tag: string;
  readonly answer: string;
  dialog: Dialog | undefined;
  timer: TimerHandle | undefined;
  state: 'incoming' | 'early' | 'established' | 'ended';
  confirmed: boolean;
}

function delay(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(name, `must be a number of milliseconds >= 0, not ${value}`);
  return value;
}

export class LeanAutoAnswerUas implements TransactionUser {
  readonly transport: TransportManager;
  readonly transactions: TransactionLayer;
  readonly dialogs = new DialogTable();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly counter: InviteCounter;
  private readonly ringMs: number;
  private readonly answerMs: number;
  private readonly hangupAfterMs: number | undefined;
  private readonly server: string;
  /** Calls by the INVITE transaction (until answered) and by dialog id (once the dialog exists). */
  private readonly pending = new Map<InviteServerTransaction, LeanCall>();
  private readonly byDialog = new Map<string, LeanCall>();
  private contact: NameAddr | undefined;
  private counts = { ringing: 0, answered: 0, confirmed: 0, remoteBye: 0, localBye: 0, cancelled: 0, noAck: 0 };

  constructor(options: LeanAutoAnswerOptions) {
    if (options.listen.length === 0) throw new ConfigError('listen', 'at least one listen address is needed');
    this.clock = options.clock ?? new RealClock();
    this.logger = options.logger ?? nullLogger;
    this.ringMs = delay('ringMs', options.ringMs) ?? 0;
    this.answerMs = delay('answerMs', options.answerMs) ?? 0;
    this.hangupAfterMs = delay('hangupAfterMs', options.hangupAfterMs);
    this.server = options.userAgent ?? 'Switchboard autoanswer (lean)';
    this.transport = new TransportManager({
      listen: options.listen,
      clock: this.clock,
      logger: this.logger,
      ...(options.transport ? { options: options.transport } : {}),
    });
    this.transactions = new TransactionLayer({
      transport: this.transport,
      clock: this.clock,
      logger: this.logger,
      tryingDelayMs: 0,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.counter = new InviteCounter(this, { perCallId: options.countPerCallId ?? false });
    this.transactions.setUser(this.counter);
  }

  async start(): Promise<void> {
    await this.transport.start();
    const ep = this.transport.endpoints()[0] as LocalEndpoint;
    const params = ep.transport === 'udp' ? Params.empty : Params.of({ transport: ep.transport });
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    this.contact = new NameAddr(new SipUri({ user: 'uas', host, port: ep.port, params }));
  }

  async stop(): Promise<void> {
    for (const call of [...this.pending.values(), ...this.byDialog.values()]) call.timer?.cancel();
    this.transactions.close();
    await this.transport.stop();
  }

  endpoints(): readonly LocalEndpoint[] {
    return this.transport.endpoints();
  }

  endpoint(transport: 'udp' | 'tcp' | 'tls'): LocalEndpoint {
    const ep = this.transport.localEndpoint(transport);
    if (!ep) throw new ConfigError('listen', `no ${transport} listener`);
    return ep;
  }

  invitesFor(callId: string): number {
    return this.counter.countFor(callId);
  }

  repeatedInvites(): [callId: string, count: number][] {
    return this.counter.repeatedCalls();
  }

  stats(): AutoAnswerStats {
    const c = this.counts;
    const ended: Record<string, number> = {};
    if (c.remoteBye + c.localBye > 0) ended['bye'] = c.remoteBye + c.localBye;
    if (c.cancelled > 0) ended['cancelled'] = c.cancelled;
    if (c.noAck > 0) ended['no-ack'] = c.noAck;
    return {
      ...this.counter.counts(),
      ringing: c.ringing,
      answered: c.answered,
      confirmed: c.confirmed,
      ended,
      endedByRemoteBye: c.remoteBye,
      activeCalls: this.pending.size + this.byDialog.size,
      dialogs: this.dialogs.size,
      transactions: this.transactions.stats(),
    };
  }

  // ------------------------------------------------------------------ TransactionUser

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    const problem = validateRequest(request, { role: 'uas', methods: METHODS });
    if (problem) {
      const reason = problem.status === 400 ? problem.reason.replace(/[\r\n]/g, ' ').slice(0, 80) : undefined;
      tx.respond(responseTo(request, problem.status, { ...(reason ? { reason } : {}), headers: problem.headers }));
      return;
    }
    if (request.toTag !== undefined) {
      this.inDialog(request, tx);
      return;
    }
    switch (request.method) {
      case 'INVITE':
        this.invite(request, tx as InviteServerTransaction);
        return;
      case 'OPTIONS':
        tx.respond(this.response(request, 200, [['Allow', ALLOW]]));
        return;
      default:
        // BYE and CANCEL outside any dialog or transaction (section 12.2.2, 9.2).
        tx.respond(this.response(request, 481));
    }
  }

  onAck(ack: IncomingRequest): void {
    const dialog = this.dialogs.forRequest(ack);
    const call = dialog ? this.byDialog.get(dialog.id) : undefined;
    if (call && !call.confirmed) {
      call.confirmed = true;
      this.counts.confirmed++;
      // Acknowledged: the no-ACK hook cannot fire any more; do not let it hold the call.
      call.tx.setEvents({});
    }
  }

  onCancel(invite: InviteServerTransaction): void {
    const call = this.pending.get(invite);
    if (!call || call.state === 'established') return;
    invite.respond(this.response(call.request, 487, [], call.tag));
    this.counts.cancelled++;
    this.end(call);
  }

  // ------------------------------------------------------------------ calls

  private invite(request: IncomingRequest, tx: InviteServerTransaction): void {
    const media = new SignallingMedia({ address: this.mediaAddress() });
    let answer: string;
    if (request.body.length > 0) {
      const r = media.receiveOffer(request.bodyText);
      if (!r.ok) {
        const headers: [string, string][] = r.warning
          ? [['Warning', `${r.warning.code} ${this.mediaAddress()} "${r.warning.text}"`]]
          : [];
        tx.respond(this.response(request, r.status, headers));
        return;
      }
      answer = r.answer;
    } else answer = media.createOffer();
    const call: LeanCall = {
      request,
      tx,
      tag: newTag(),
      answer,
      dialog: undefined,
      timer: undefined,
      state: 'incoming',
      confirmed: false,
    };
    this.pending.set(tx, call);
    tx.setEvents({
      onAckTimeout: () => {
        // Section 13.3.1.4: no ACK for 64*T1: the session SHOULD be terminated with BYE.
        if (call.state === 'established' && !call.confirmed) {
          this.counts.noAck++;
          this.bye(call, false);
        }
      },
    });
    this.later(call, this.ringMs, () => this.ring(call));
  }

  private ring(call: LeanCall): void {
    if (call.state !== 'incoming') return;
    call.tx.respond(this.response(call.request, 180, [], call.tag, this.contactOf()));
    call.dialog = Dialog.asUas(call.request, call.tag, this.contactOf(), true, 'invite');
    this.dialogs.add(call.dialog);
    this.byDialog.set(call.dialog.id, call);
    call.state = 'early';
    this.counts.ringing++;
    this.later(call, this.answerMs, () => this.answer(call));
  }

  private answer(call: LeanCall): void {
    if (call.state !== 'early' || !call.dialog) return;
    const res = this.response(call.request, 200, [['Allow', ALLOW]], call.tag, this.contactOf());
    res.setBody(call.answer, 'application/sdp');
    call.tx.respond(res, { retransmitUntilAck: true });
    call.dialog.confirm();
    call.state = 'established';
    this.pending.delete(call.tx);
    this.counts.answered++;
    const hangup = this.hangupAfterMs;
    if (hangup !== undefined) this.later(call, hangup, () => this.bye(call, true));
  }

  private inDialog(request: IncomingRequest, tx: ServerTransaction): void {
    const dialog = this.dialogs.forRequest(request);
    const call = dialog ? this.byDialog.get(dialog.id) : undefined;
    if (!dialog || !call) {
      tx.respond(this.response(request, 481));
      return;
    }
    if (!dialog.receiveRequest(request)) {
      tx.respond(this.response(request, 500, [['Retry-After', '1']]));
      return;
    }
    switch (request.method) {
      case 'BYE':
        tx.respond(this.response(request, 200));
        this.counts.remoteBye++;
        this.end(call);
        return;
      case 'OPTIONS':
        tx.respond(this.response(request, 200, [['Allow', ALLOW]]));
        return;
      case 'INVITE':
        tx.respond(this.response(request, 488, [['Warning', '399 - "re-INVITE not supported by the lean UAS"']]));
        return;
      default:
        tx.respond(this.response(request, 405, [['Allow', ALLOW]]));
    }
  }

  private bye(call: LeanCall, counted: boolean): void {
    const dialog = call.dialog;
    if (!dialog || call.state !== 'established') return;
    const bye = dialog.createRequest('BYE');
    bye.setRaw('User-Agent', this.server);
    if (counted) this.counts.localBye++;
    this.end(call);
    resolveLiteral(dialog.target().nextHop).then(
      (dests) => {
        const dest = dests[0];
        if (!dest) return;
        this.transactions.sendRequest(bye, dest, {
          onResponse: () => {},
          onFailure: (f) => this.logger.info('BYE failed', { callId: dialog.callId, kind: f.kind }),
        });
      },
      (err: unknown) => this.logger.warn('cannot route the BYE', { error: String(err) }),
    );
  }

  private end(call: LeanCall): void {
    call.state = 'ended';
    call.timer?.cancel();
    // The no-ACK hook would keep the call alive until Timer L (64*T1) after it ended.
    call.tx.setEvents({});
    this.pending.delete(call.tx);
    if (call.dialog) {
      this.byDialog.delete(call.dialog.id);
      call.dialog.terminate();
    }
  }

  private later(call: LeanCall, ms: number, fn: () => void): void {
    if (ms <= 0) fn();
    else call.timer = this.clock.setTimer(ms, fn);
  }

  private contactOf(): NameAddr {
    if (!this.contact) throw new ConfigError('autoanswer', 'start() first');
    return this.contact;
  }

  private mediaAddress(): string {
    const host = this.transport.endpoints()[0]?.host ?? '127.0.0.1';
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  private response(
    request: IncomingRequest,
    status: number,
    headers: readonly (readonly [string, string])[] = [],
    toTag?: string,
    contact?: NameAddr,
  ): OutgoingResponse {
    return responseTo(request, status, {
      ...(toTag !== undefined ? { toTag } : {}),
      ...(contact ? { contact } : {}),
      headers: [['Server', this.server], ...headers],
    });
  }
}
