/**
 * A call: the INVITE usage of a dialog (RFC 3261 sections 13 to 15) with its offer/answer
 * (RFC 3264), from either side. Outgoing: INVITE with failover and digest retries, early
 * dialogs from provisional responses, ACK of the 2xx (and of every retransmitted or forked 2xx),
 * CANCEL. Incoming: ringing, answering (the 2xx retransmitted until the ACK), rejecting, CANCEL.
 * Both: re-INVITE for hold and resume with glare handling (491 and the section 14.1 back-off),
 * BYE (with the RFC 2543 Also of the Cisco transfer), and the REFER and Replaces machinery of
 * call-transfer.ts.
 *
 *   outgoing: calling -> proceeding -> early -> established -> terminating -> terminated
 *   incoming: incoming -> early -> established -> terminating -> terminated
 *   (any state can end in terminated: rejected, cancelled, timeout, BYE received, ...)
 */
import { Dialog } from '../dialog/index.js';
import {
  type IncomingRequest,
  type IncomingResponse,
  type NameAddr,
  type OutgoingRequest,
  type OutgoingResponse,
  parseNameAddr,
  responseTo,
  type Uri,
} from '../sip/index.js';
import type {
  ClientTransaction,
  InviteClientTransaction,
  InviteServerTransaction,
  ServerTransaction,
} from '../transaction/index.js';
import type { Destination } from '../transport/index.js';
import { Emitter } from '../util/emitter.js';
import { newTag, randomToken } from '../util/ids.js';
import type { CallEvents } from './call-events.js';
import type { CallTransfer } from './call-transfer.js';
import type { OutgoingRequestFlow } from './outgoing-request.js';
import { SessionModification } from './session-modification.js';
import type {
  CallEnd,
  CallEndReason,
  CallResult,
  CallState,
  ReinviteResult,
  SessionMedia,
  TransferResult,
} from './types.js';
import type { UaContext } from './ua-context.js';

type UacState = {
  flow: OutgoingRequestFlow | undefined;
  template: OutgoingRequest;
  sent: OutgoingRequest | undefined;
  earlyDialogs: Map<string, Dialog>;
  cancelWanted: boolean;
  ack: OutgoingRequest | undefined;
};

type UasState = {
  readonly request: IncomingRequest;
  readonly transaction: InviteServerTransaction;
  readonly localTag: string;
  /** The answer to an offer in the INVITE, computed on arrival. */
  readonly answer: string | undefined;
};

const TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  calling: ['proceeding', 'early', 'established', 'terminated'],
  proceeding: ['early', 'established', 'terminated'],
  early: ['established', 'terminated'],
  incoming: ['early', 'established', 'terminated'],
  established: ['terminating', 'terminated'],
  terminating: ['terminated'],
  terminated: [],
};

export class Call {
  readonly id = randomToken(12);
  readonly events: Emitter<CallEvents>;
  readonly direction: 'outgoing' | 'incoming';
  /** The other party: To of an outgoing call, From of an incoming one. */
  readonly remoteIdentity: NameAddr;
  readonly media: SessionMedia;
  /** The call this one replaces (INVITE with Replaces, RFC 3891), or undefined. */
  replacing: Call | undefined;
  /** Outgoing calls started by a REFER or an Also: who asked. */
  referredBy: NameAddr | undefined;
  private stateValue: CallState;
  private dialogValue: Dialog | undefined;
  private uac: UacState | undefined;
  private uas: UasState | undefined;
  private endValue: CallEnd | undefined;
  /** re-INVITEs in both directions (session-modification.ts). */
  private readonly modification: SessionModification;
  private confirmedByAck = false;
  private readonly resultWaiters: ((r: CallResult) => void)[] = [];
  /** REFER machinery, attached by the UA (call-transfer.ts). */
  transfer: CallTransfer | undefined;

  private constructor(
    private readonly ua: UaContext,
    direction: 'outgoing' | 'incoming',
    remote: NameAddr,
    media: SessionMedia,
    state: CallState,
  ) {
    this.direction = direction;
    this.remoteIdentity = remote;
    this.media = media;
    this.stateValue = state;
    this.events = new Emitter((err, event) =>
      ua.logger.error('call event listener threw', { call: this.id, event, error: String(err) }),
    );
    this.modification = new SessionModification({
      ua,
      media,
      events: this.events,
      dialog: () => this.dialogValue,
      established: () => this.stateValue === 'established',
      respond: (request, status, headers) => this.inDialogResponse(request, status, headers),
      fail: (status, text) => this.end({ reason: 'failed', by: 'remote', status, text }),
      hangUp: (reason) => this.sendBye(undefined, reason),
    });
  }

  // ------------------------------------------------------------------ creation

  /** An outgoing call: builds the INVITE (section 13.2.1) and sends it to the next hops. */
  static outgoing(
    ua: UaContext,
    template: OutgoingRequest,
    nextHops: readonly Uri[] | readonly Destination[],
    media: SessionMedia,
  ): Call {
    const call = new Call(ua, 'outgoing', template.to, media, 'calling');
    call.uac = {
      flow: undefined,
      template,
      sent: undefined,
      earlyDialogs: new Map(),
      cancelWanted: false,
      ack: undefined,
    };
    call.uac.flow = ua.send(template, nextHops, {
      onAttempt: (req) => {
        if (call.uac) call.uac.sent = req;
      },
      onResponse: (res, tx) => call.onInviteResponse(res, tx),
      onFailure: (failure) =>
        call.end({
          reason: failure.kind === 'timeout' ? 'timeout' : 'transport',
          by: 'local',
          status: failure.status,
          text: failure.kind,
        }),
    });
    return call;
  }

  /** An incoming call (section 13.3.1); `answer` is our SDP answer when the INVITE carried an offer. */
  static incoming(
    ua: UaContext,
    request: IncomingRequest,
    transaction: InviteServerTransaction,
    media: SessionMedia,
    answer: string | undefined,
  ): Call {
    const call = new Call(ua, 'incoming', request.from, media, 'incoming');
    call.uas = { request, transaction, localTag: newTag(), answer };
    transaction.setEvents({
      onAckTimeout: () => {
        if (call.state === 'established') {
          // Section 13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without
          // receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated" with BYE.
          call.sendBye(undefined, 'no-ack');
        }
      },
    });
    return call;
  }

  // ------------------------------------------------------------------ state

  get state(): CallState {
    return this.stateValue;
  }

  get dialog(): Dialog | undefined {
    return this.dialogValue;
  }

  /** How the call ended, once it has. */
  get ended(): CallEnd | undefined {
    return this.endValue;
  }

  /** The Call-ID of the call's dialog (or of its INVITE before a dialog exists). */
  get callId(): string {
    return this.dialogValue?.callId ?? this.uac?.template.callId ?? this.uas?.request.callId ?? '';
  }

  /** The INVITE that created an incoming call. */
  get inviteRequest(): IncomingRequest | undefined {
    return this.uas?.request;
  }

  private transition(to: CallState): void {
    const from = this.stateValue;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) {
      this.ua.logger.warn('ignoring an illegal call state change', { call: this.id, from, to });
      return;
    }
    this.stateValue = to;
  }

  /** Resolves when the call is established (ok) or has ended before that. */
  waitEstablished(): Promise<CallResult> {
    if (this.stateValue === 'established' || this.stateValue === 'terminating') return Promise.resolve({ ok: true });
    if (this.endValue) return Promise.resolve({ ok: false, end: this.endValue });
    return new Promise((resolve) => this.resultWaiters.push(resolve));
  }

  /** Resolves when the call has ended. */
  waitEnded(): Promise<CallEnd> {
    if (this.endValue) return Promise.resolve(this.endValue);
    return new Promise((resolve) => this.events.once('ended', (end) => resolve(end)));
  }

  private settle(result: CallResult): void {
    for (const w of this.resultWaiters.splice(0)) w(result);
  }

  private setDialog(dialog: Dialog): void {
    this.dialogValue = dialog;
    this.ua.dialogs.add(dialog);
  }

  /** Ends the call: stops media, drops the INVITE usage, tells listeners. Idempotent. */
  end(info: {
    reason: CallEndReason;
    by: 'local' | 'remote';
    status: number | undefined;
    text: string | undefined;
    also?: readonly NameAddr[];
  }): void {
    if (this.endValue) return;
    const end: CallEnd = info.also ? info : { reason: info.reason, by: info.by, status: info.status, text: info.text };
    this.endValue = end;
    this.modification.stop();
    // The INVITE server transaction outlives the call (Timer L): it must not keep the call alive,
    // nor go on sending a 2xx whose ACK was lost (a BYE proves the caller had it).
    this.uas?.transaction.setEvents({});
    this.uas?.transaction.stopRetransmitting();
    this.uac?.flow?.stop();
    this.transition('terminated');
    this.media.stop();
    for (const d of this.uac?.earlyDialogs.values() ?? []) if (d !== this.dialogValue) d.removeUsage('invite');
    this.dialogValue?.removeUsage('invite');
    this.settle({ ok: false, end });
    this.events.emit('ended', end);
  }

  // ------------------------------------------------------------------ outgoing call

  private onInviteResponse(res: IncomingResponse, tx: ClientTransaction): void {
    const uac = this.uac;
    if (!uac) return;
    const status = res.status;
    if (this.stateValue === 'terminated' && status >= 200 && status < 300) {
      // A 2xx after we gave up (cancel raced with the answer): acknowledge and hang up (section 15).
      this.ackAndBye(res);
      return;
    }
    if (status < 200) {
      const tag = res.toTag;
      if (tag !== undefined && !uac.earlyDialogs.has(tag) && uac.sent) {
        const early = Dialog.asUac(uac.sent, res, 'invite');
        uac.earlyDialogs.set(tag, early);
        this.ua.dialogs.add(early);
      }
      if (status > 100 || tag !== undefined) this.transition(tag !== undefined ? 'early' : 'proceeding');
      // Section 13.2.1: the answer may also come in provisional responses before the 2xx.
      if (res.body.length > 0 && this.media.offerPending) this.media.receiveAnswer(res.bodyText);
      this.events.emit('progress', status, res.reason);
      if (uac.cancelWanted) (tx as InviteClientTransaction).cancel();
      return;
    }
    if (status < 300) {
      this.onInvite2xx(res);
      return;
    }
    const reason: CallEndReason =
      status === 487 && uac.cancelWanted
        ? 'cancelled'
        : status === 488 || status === 606
          ? 'not-acceptable'
          : 'rejected';
    this.media.rollback();
    this.end({ reason, by: uac.cancelWanted ? 'local' : 'remote', status, text: res.reason });
  }

  private onInvite2xx(res: IncomingResponse): void {
    const uac = this.uac as UacState;
    const tag = res.toTag;
    if (
      this.dialogValue &&
      this.stateValue !== 'calling' &&
      this.stateValue !== 'proceeding' &&
      this.stateValue !== 'early'
    ) {
      if (tag === this.dialogValue.remoteTag) {
        // A retransmitted 2xx: the ACK must be sent again (section 13.2.2.4).
        if (uac.ack) this.ua.sendAck(this.dialogValue, uac.ack);
      } else {
        // Another fork answered too: "the UAC ... MUST send an ACK ... and then a BYE" (13.2.2.4).
        this.ackAndBye(res);
      }
      return;
    }
    const sent = uac.sent as OutgoingRequest;
    let dialog = tag === undefined ? undefined : uac.earlyDialogs.get(tag);
    if (dialog) dialog.confirm(res);
    else {
      dialog = Dialog.asUac(sent, res, 'invite');
      this.ua.dialogs.add(dialog);
    }
    this.setDialog(dialog);
    for (const [t, d] of uac.earlyDialogs) if (t !== tag) d.terminate();
    if (res.body.length > 0 && this.media.offerPending) {
      const r = this.media.receiveAnswer(res.bodyText);
      if (!r.ok) this.ua.logger.warn('unusable SDP answer in 2xx', { call: this.id, reason: r.reason });
    }
    const ack = dialog.createRequest('ACK', { cseq: sent.cseq.seq });
    uac.ack = ack;
    this.ua.sendAck(dialog, ack);
    if (uac.cancelWanted) {
      this.transition('established');
      this.sendBye(undefined, 'cancelled');
      return;
    }
    this.transition('established');
    this.media.start();
    this.settle({ ok: true });
    this.events.emit('established');
  }

  /** A 2xx that arrived outside the INVITE transaction (after Timer M): re-ACK or ACK+BYE. */
  onStray2xx(res: IncomingResponse): void {
    if (this.dialogValue && res.toTag === this.dialogValue.remoteTag && this.uac?.ack)
      this.ua.sendAck(this.dialogValue, this.uac.ack);
    else this.ackAndBye(res);
  }

  private ackAndBye(res: IncomingResponse): void {
    const sent = this.uac?.sent;
    if (!sent) return;
    const dialog = Dialog.asUac(sent, res, 'invite');
    this.ua.sendAck(dialog, dialog.createRequest('ACK', { cseq: sent.cseq.seq }));
    const bye = dialog.createRequest('BYE');
    this.ua.sendInDialog(dialog, bye, { onResponse: () => dialog.terminate(), onFailure: () => dialog.terminate() });
  }

  // ------------------------------------------------------------------ incoming call

  /** Sends 180 Ringing (creating the early dialog). */
  ring(status = 180): boolean {
    const uas = this.uas;
    if (!uas || (this.stateValue !== 'incoming' && this.stateValue !== 'early')) return false;
    const res = this.uasResponse(status);
    uas.transaction.respond(res);
    if (!this.dialogValue) this.setDialog(Dialog.asUas(uas.request, uas.localTag, this.ua.contact(), true, 'invite'));
    this.transition('early');
    return true;
  }

  /** Answers with 200 OK and our SDP (the answer, or an offer when the INVITE had none). */
  answer(): boolean {
    const uas = this.uas;
    if (!uas || (this.stateValue !== 'incoming' && this.stateValue !== 'early')) return false;
    const body = uas.answer ?? (uas.request.body.length === 0 ? this.media.createOffer() : undefined);
    const res = this.uasResponse(200, body);
    uas.transaction.respond(res, { retransmitUntilAck: true });
    if (this.dialogValue) this.dialogValue.confirm();
    else this.setDialog(Dialog.asUas(uas.request, uas.localTag, this.ua.contact(), false, 'invite'));
    this.transition('established');
    if (uas.answer !== undefined) this.media.start();
    this.settle({ ok: true });
    this.events.emit('established');
    return true;
  }

  /** Rejects an incoming call (486 Busy Here, 603 Decline, 480, ...). */
  reject(status = 486, reason?: string): boolean {
    const uas = this.uas;
    if (!uas || (this.stateValue !== 'incoming' && this.stateValue !== 'early')) return false;
    uas.transaction.respond(this.uasResponse(status, undefined, reason));
    this.end({ reason: 'rejected', by: 'local', status, text: reason });
    return true;
  }

  private uasResponse(status: number, body?: string, reason?: string): OutgoingResponse {
    const uas = this.uas as UasState;
    const res = responseTo(uas.request, status, {
      toTag: uas.localTag,
      ...(reason ? { reason } : {}),
      ...(status > 100 && status < 300 ? { contact: this.ua.contact() } : {}),
    });
    res.setRaw('Server', this.ua.userAgent);
    if (status >= 200 && status < 300) {
      res.set('allow', [...this.ua.allow]);
      res.set('supported', [...this.ua.supported]);
    }
    if (body !== undefined) res.setBody(body, 'application/sdp');
    return res;
  }

  /** The CANCEL of our pending incoming INVITE arrived (section 9.2): answer 487 and end. */
  onCancel(): void {
    const uas = this.uas;
    if (!uas || (this.stateValue !== 'incoming' && this.stateValue !== 'early')) return;
    uas.transaction.respond(this.uasResponse(487));
    this.end({ reason: 'cancelled', by: 'remote', status: 487, text: 'Request Terminated' });
  }

  /** The ACK of our 2xx (section 13.3.1.4); it may carry the answer to an offer we made in the 2xx. */
  onAck(ack: IncomingRequest): void {
    if (ack.body.length > 0 && this.media.offerPending) {
      const r = this.media.receiveAnswer(ack.bodyText);
      if (r.ok) {
        this.media.start();
        this.events.emit('mediaUpdated');
      }
    }
    if (this.modification.onAck()) return;
    if (this.direction === 'incoming' && !this.confirmedByAck) {
      this.confirmedByAck = true;
      this.events.emit('confirmed');
    }
  }

  // ------------------------------------------------------------------ hang up

  /**
   * Ends the call whatever its state: CANCEL while an outgoing call rings, 486/603 for an incoming
   * call not yet answered, BYE once established. `also` adds Also headers to the BYE (the
   * RFC 2543-era transfer of Cisco phones).
   */
  hangup(options: { status?: number; also?: readonly NameAddr[]; reason?: CallEndReason } = {}): void {
    switch (this.stateValue) {
      case 'calling':
      case 'proceeding':
      case 'early':
        if (this.direction === 'incoming') {
          this.reject(options.status ?? 603);
          return;
        }
        this.cancel();
        return;
      case 'incoming':
        this.reject(options.status ?? 486);
        return;
      case 'established':
        this.sendBye(options.also, options.reason);
        return;
      default:
        return;
    }
  }

  /** Cancels an outgoing call that has not been answered (section 9.1). */
  cancel(): void {
    const uac = this.uac;
    if (!uac || uac.cancelWanted) return;
    uac.cancelWanted = true;
    uac.flow?.stop();
    const tx = uac.flow?.transaction as InviteClientTransaction | undefined;
    if (!tx?.cancel()) {
      // Nothing sent yet or already final: end now (a 2xx arriving later is acknowledged and BYE'd).
      this.end({ reason: 'cancelled', by: 'local', status: undefined, text: 'cancelled before any response' });
    }
  }

  private sendBye(also: readonly NameAddr[] | undefined, reason: CallEndReason = 'bye'): void {
    const dialog = this.dialogValue;
    if (!dialog || this.stateValue === 'terminated' || this.stateValue === 'terminating') return;
    this.transition('terminating');
    this.media.stop();
    const bye = dialog.createRequest('BYE');
    for (const a of also ?? []) bye.append('also', a);
    bye.setRaw('User-Agent', this.ua.userAgent);
    const finish = (status: number | undefined, text: string | undefined) =>
      this.end({ reason, by: 'local', status, text, ...(also ? { also } : {}) });
    this.ua.sendInDialog(dialog, bye, {
      onResponse: (res) => {
        if (res.status >= 200) finish(res.status, res.reason);
      },
      onFailure: (f) => finish(f.status, f.kind),
    });
  }

  // ------------------------------------------------------------------ requests within the dialog

  /** A request within this call's dialog (the UA has checked the dialog and its CSeq). */
  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    switch (request.method) {
      case 'INVITE':
        this.modification.onReinvite(request, tx as InviteServerTransaction);
        return;
      case 'BYE': {
        tx.respond(this.inDialogResponse(request, 200));
        const also = request.tryGet('also');
        const list = also.ok && also.value.length > 0 ? also.value : undefined;
        this.end({ reason: 'bye', by: 'remote', status: undefined, text: 'BYE', ...(list ? { also: list } : {}) });
        return;
      }
      case 'INFO':
        tx.respond(this.inDialogResponse(request, 200));
        this.events.emit('info', request);
        return;
      case 'OPTIONS':
        tx.respond(this.inDialogResponse(request, 200));
        return;
      case 'REFER':
      case 'NOTIFY':
        if (this.transfer) this.transfer.onRequest(request, tx);
        else tx.respond(this.inDialogResponse(request, request.method === 'REFER' ? 501 : 481));
        return;
      default:
        tx.respond(this.inDialogResponse(request, 405, [['Allow', this.ua.allow.join(', ')]]));
    }
  }

  inDialogResponse(
    request: IncomingRequest,
    status: number,
    headers: readonly (readonly [string, string])[] = [],
  ): OutgoingResponse {
    const res = responseTo(request, status, { headers: [['Server', this.ua.userAgent], ...headers] });
    return res;
  }

  /** Puts the other party on hold (re-INVITE with a hold offer, RFC 3264 section 8.4). */
  hold(): Promise<ReinviteResult> {
    return this.modification.send(true);
  }

  /** Takes the other party off hold. */
  resume(): Promise<ReinviteResult> {
    return this.modification.send(false);
  }

  /** Sends a re-INVITE with a new offer (hold or not); on 491 retries after the section 14.1 back-off. */
  sendReinvite(hold: boolean): Promise<ReinviteResult> {
    return this.modification.send(hold);
  }

  // ------------------------------------------------------------------ transfer (delegated)

  /**
   * Blind transfer (no `replaces`) or attended transfer (`replaces` = the consultation call) by
   * REFER (RFC 3515, 3892, 3891); with `fallbackToAlso`, a 501/405 to the REFER makes us hang up
   * with BYE + Also instead (the old Cisco method).
   */
  refer(
    target: NameAddr | string,
    options: { replaces?: Call; fallbackToAlso?: boolean } = {},
  ): Promise<TransferResult> {
    if (!this.transfer)
      return Promise.resolve({ ok: false, method: 'refer', status: undefined, reason: 'transfer not available' });
    const na = typeof target === 'string' ? parseNameAddr(target) : target;
    return this.transfer.refer(na, options.replaces, options.fallbackToAlso ?? false);
  }
}
