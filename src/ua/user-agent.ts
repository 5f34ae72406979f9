/**
 * The UA core (RFC 3261 sections 8, 12 to 15): the transaction user of a phone or a gateway. It
 * validates incoming requests (section 8.2), routes requests within dialogs to their call or
 * subscription (section 12.2.2: 481 when none matches, 500 when out of order), turns new INVITEs
 * into incoming calls (an offer no codec matches is refused with 488 and a Warning before the
 * phone rings), handles INVITE with Replaces (RFC 3891: answered at once and the replaced call
 * hung up), answers OPTIONS with its capabilities (section 11.2), accepts check-sync NOTIFYs
 * (the reload/restart request of Cisco, Snom and Yealink provisioning) and MESSAGE, and sends
 * requests through configured proxies with failover and digest authentication.
 */
import { type Dialog, DialogTable } from '../dialog/index.js';
import {
  createRequest,
  type IncomingRequest,
  type IncomingResponse,
  NameAddr,
  type OutgoingRequest,
  Params,
  parseNameAddr,
  parseUri,
  responseTo,
  SipUri,
  type Uri,
  Via,
  validateRequest,
} from '../sip/index.js';
import type {
  InviteServerTransaction,
  ServerTransaction,
  TransactionLayer,
  TransactionUser,
} from '../transaction/index.js';
import type { Destination } from '../transport/index.js';
import { type Clock, RealClock } from '../util/clock.js';
import { Emitter } from '../util/emitter.js';
import { newBranch, newCallId, newTag } from '../util/ids.js';
import { type Logger, nullLogger } from '../util/logger.js';
import { Call } from './call.js';
import { CallTransfer } from './call-transfer.js';
import { OutgoingRequestFlow, type OutgoingRequestHandlers } from './outgoing-request.js';
import { Registration, type RegistrationOptions } from './registration.js';
import { resolveLiteral } from './resolver.js';
import type { RequestAuthenticator, Resolver, SessionMedia } from './types.js';
import type { UaContext } from './ua-context.js';

export interface UserAgentOptions {
  readonly transactions: TransactionLayer;
  /** Our address of record, e.g. sip:alice@example.com (display name allowed: "Alice" <sip:...>). */
  readonly identity: NameAddr | string;
  /** Our Contact; default: the user of the AOR at the transport's UDP (else first) endpoint. */
  readonly contact?: NameAddr;
  /** Proxies for requests outside dialogs, in order: the first is primary, the others backups. */
  readonly proxies?: readonly (Uri | string)[];
  readonly resolve?: Resolver;
  readonly authenticator?: RequestAuthenticator;
  /**
   * Media for each new call. May be async: RTP sockets are bound before the SDP that names their
   * port can be written (the phone role binds a pair per call).
   */
  readonly createMedia: () => SessionMedia | Promise<SessionMedia>;
  readonly userAgent?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Answer an INVITE with Replaces at once and hang up the replaced call (default true, RFC 3891 section 3). */
  readonly autoAnswerReplaces?: boolean;
}

export interface UaEvents {
  [event: string]: unknown[];
  /** A new incoming call, not yet answered (ring, answer or reject it). */
  incomingCall: [call: Call];
  /** An incoming call that replaced one of ours (already answered). */
  callReplaced: [newCall: Call, replaced: Call];
  /** NOTIFY with Event: check-sync: the provisioning system asks the phone to reload (and maybe restart). */
  checkSync: [request: IncomingRequest];
  /** A MESSAGE (RFC 3428). */
  message: [request: IncomingRequest];
  /** A NOTIFY outside any subscription we know of (message-summary and the like), answered 200. */
  unsolicitedNotify: [request: IncomingRequest];
}

export interface CallOptions {
  /** Override the proxies for this call (a dial plan's emergency route). Empty: direct to the target. */
  readonly proxies?: readonly Uri[];
  /** Extra headers. */
  readonly headers?: readonly (readonly [string, string])[];
  /** Referred-By for a call made on a REFER (RFC 3892). */
  readonly referredBy?: NameAddr;
  /** Replaces for an attended transfer (RFC 3891): `callid;to-tag=..;from-tag=..` */
  readonly replaces?: string;
  /** Requested-By for a call made on a BYE/Also (Cisco). */
  readonly requestedBy?: NameAddr;
  /** Display name or subject shown to the callee. */
  readonly subject?: string;
}

const ALLOW = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REFER', 'NOTIFY', 'INFO', 'MESSAGE'];
const SUPPORTED = ['replaces', 'norefersub'];

export class UserAgent implements TransactionUser {
  readonly events: Emitter<UaEvents>;
  readonly transactions: TransactionLayer;
  readonly dialogs = new DialogTable();
  readonly identity: NameAddr;
  readonly aor: SipUri;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly allow: readonly string[] = ALLOW;
  readonly supported: readonly string[] = SUPPORTED;
  proxies: readonly Uri[];
  private readonly calls = new Map<string, Call>();
  private readonly callsByDialog = new Map<string, Call>();
  private readonly resolver: Resolver;
  private readonly authenticator: RequestAuthenticator | undefined;
  private readonly mediaFactory: () => SessionMedia | Promise<SessionMedia>;
  /** INVITE server transactions whose media is still being created (a CANCEL may arrive meanwhile). */
  private readonly pendingInvites = new Map<InviteServerTransaction, { cancelled: boolean }>();
  private readonly contactValue: NameAddr | undefined;
  private readonly autoAnswerReplaces: boolean;
  private readonly ctx: UaContext;

  constructor(options: UserAgentOptions) {
    this.transactions = options.transactions;
    this.identity = typeof options.identity === 'string' ? parseNameAddr(options.identity) : options.identity;
    if (!(this.identity.uri instanceof SipUri)) throw new TypeError('the identity must be a SIP URI');
    this.aor = this.identity.uri;
    this.clock = options.clock ?? this.transactions.clock ?? new RealClock();
    this.logger = options.logger ?? nullLogger;
    this.userAgent = options.userAgent ?? 'Switchboard';
    this.proxies = (options.proxies ?? []).map((p) => (typeof p === 'string' ? parseUri(p) : p));
    this.resolver = options.resolve ?? resolveLiteral;
    this.authenticator = options.authenticator;
    this.mediaFactory = options.createMedia;
    this.contactValue = options.contact;
    this.autoAnswerReplaces = options.autoAnswerReplaces ?? true;
    this.events = new Emitter((err, event) =>
      this.logger.error('UA event listener threw', { event, error: String(err) }),
    );
    this.transactions.setUser(this);
    this.ctx = this.context();
  }

  /** Our Contact: configured, or derived from the transport's listening endpoint. */
  contact(): NameAddr {
    if (this.contactValue) return this.contactValue;
    const ep = this.transactions.transport.localEndpoint('udp') ?? this.transactions.transport.endpoints()[0];
    if (!ep) throw new Error('the transport has no listening endpoint');
    const params = ep.transport === 'udp' ? Params.empty : Params.of({ transport: ep.transport });
    return new NameAddr(
      new SipUri({
        user: this.aor.user,
        host: ep.host.includes(':') ? `[${ep.host}]` : ep.host,
        port: ep.port,
        params,
      }),
    );
  }

  private context(): UaContext {
    const self = this;
    return {
      transactions: this.transactions,
      dialogs: this.dialogs,
      clock: this.clock,
      logger: this.logger,
      identity: this.identity,
      aor: this.aor,
      userAgent: this.userAgent,
      allow: this.allow,
      supported: this.supported,
      get proxies() {
        return self.proxies;
      },
      contact: () => this.contact(),
      send: (template, hops, handlers) => this.send(template, hops, handlers),
      sendInDialog: (dialog, request, handlers) => this.sendInDialog(dialog, request, handlers),
      sendAck: (dialog, ack) => this.sendAck(dialog, ack),
      createMedia: () => this.mediaFactory(),
      resolve: (uri) => this.resolver(uri),
    };
  }

  // ------------------------------------------------------------------ sending

  send(
    template: OutgoingRequest,
    nextHops: readonly Uri[] | readonly Destination[],
    handlers: OutgoingRequestHandlers,
  ): OutgoingRequestFlow {
    const flow = new OutgoingRequestFlow(
      {
        transactions: this.transactions,
        resolve: this.resolver,
        authenticator: this.authenticator,
        logger: this.logger,
      },
      template,
      nextHops.length > 0 ? nextHops : [template.uri],
      handlers,
    );
    void flow.start();
    return flow;
  }

  sendInDialog(dialog: Dialog, request: OutgoingRequest, handlers: OutgoingRequestHandlers): OutgoingRequestFlow {
    return this.send(request, [dialog.target().nextHop], handlers);
  }

  /**
   * Sends the ACK of a 2xx. The first time it gets its Via (a new branch: the ACK of a 2xx is a
   * transaction of its own, section 17.1.1.3); for a retransmitted 2xx the same ACK, Via and all,
   * is passed to the transport again (section 13.2.2.4).
   */
  sendAck(dialog: Dialog, ack: OutgoingRequest): void {
    const hop = dialog.target().nextHop;
    // The Via goes on at once so that a 2xx retransmitted before the first send completes reuses
    // it; the transport stamps its transport and sent-by.
    if (ack.get('via').length === 0) {
      ack.prepend(
        'via',
        new Via({ transport: 'UDP', host: 'invalid.invalid', params: Params.of({ branch: newBranch(), rport: null }) }),
      );
    }
    this.resolver(hop).then(
      (dests) => {
        const dest = dests[0];
        if (dest)
          this.transactions
            .sendStateless(ack, dest, { keepVia: true })
            .catch((err) => this.logger.warn('ACK not sent', { error: String(err) }));
      },
      (err) => this.logger.warn('cannot resolve the ACK destination', { hop: hop.toString(), error: String(err) }),
    );
  }

  // ------------------------------------------------------------------ API

  /**
   * Starts an outgoing call to `target` (a SIP URI, or a user name resolved against the AOR's
   * domain). Resolves as soon as the INVITE is on its way (media bound, offer written); wait for
   * the outcome with `call.waitEstablished()` or the call's events.
   */
  async call(target: Uri | string, options: CallOptions = {}): Promise<Call> {
    const uri = typeof target === 'string' ? this.targetUri(target) : target;
    const media = await this.mediaFactory();
    const req = createRequest({
      method: 'INVITE',
      uri,
      from: this.identity,
      to: new NameAddr(uri instanceof SipUri ? uri.with({ headers: Params.empty }) : uri),
      callId: newCallId(),
      cseq: 1,
      contact: this.contact(),
    });
    req.setRaw('User-Agent', this.userAgent);
    req.set('allow', [...this.allow]);
    req.set('supported', [...this.supported]);
    if (options.subject) req.setRaw('Subject', options.subject);
    // Identities copied from From headers lose their dialog tag.
    if (options.referredBy) req.set('referred-by', options.referredBy.withoutParam('tag'));
    if (options.requestedBy) req.set('requested-by', options.requestedBy.withoutParam('tag'));
    if (options.replaces) req.setRaw('Replaces', options.replaces);
    for (const [n, v] of options.headers ?? []) req.appendRaw(n, v);
    req.setBody(media.createOffer(), 'application/sdp');
    const hops = options.proxies ?? this.proxies;
    const call = Call.outgoing(this.ctx, req, hops, media);
    if (options.referredBy) call.referredBy = options.referredBy;
    if (options.requestedBy) call.referredBy = options.requestedBy;
    this.track(call);
    return call;
  }

  /** A registration for our AOR at `registrar` (not started: call register()). */
  registration(options: RegistrationOptions): Registration {
    return new Registration(this.ctx, options);
  }

  /** Sends an out-of-dialog request (OPTIONS, MESSAGE, ...) and resolves with its final response. */
  request(
    method: string,
    target: Uri | string,
    options: { body?: string; contentType?: string; headers?: readonly (readonly [string, string])[] } = {},
  ): Promise<IncomingResponse | { status: number; failure: string }> {
    const uri = typeof target === 'string' ? this.targetUri(target) : target;
    const req = createRequest({ method, uri, from: this.identity, to: new NameAddr(uri), contact: this.contact() });
    req.setRaw('User-Agent', this.userAgent);
    for (const [n, v] of options.headers ?? []) req.appendRaw(n, v);
    if (options.body !== undefined) req.setBody(options.body, options.contentType);
    return new Promise((resolve) => {
      this.send(req, this.proxies, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onFailure: (f) => resolve({ status: f.status, failure: f.kind }),
      });
    });
  }

  /** Calls in progress or established. */
  activeCalls(): Call[] {
    return [...this.calls.values()];
  }

  /** Ends every call and transaction. */
  close(): void {
    for (const call of this.calls.values())
      call.end({ reason: 'failed', by: 'local', status: undefined, text: 'shutdown' });
    this.transactions.close();
  }

  /** "bob" → sip:bob@<domain of our AOR>; a full URI is parsed as is. */
  targetUri(target: string): Uri {
    if (/^(sips?|tel):/i.test(target)) return parseUri(target);
    if (target.includes('@')) return parseUri(`sip:${target}`);
    return new SipUri({ user: target, host: this.aor.host, port: this.aor.port });
  }

  private track(call: Call): void {
    this.calls.set(call.id, call);
    call.transfer = new CallTransfer(this.ctx, call);
    call.events.on('established', () => {
      if (call.dialog) this.callsByDialog.set(call.dialog.id, call);
    });
    call.events.on('ended', () => {
      this.calls.delete(call.id);
      // The dialog may live on for a REFER subscription: keep routing NOTIFYs to the call.
      if (call.dialog?.state === 'Terminated') this.callsByDialog.delete(call.dialog.id);
      else call.dialog?.onTerminated((d) => this.callsByDialog.delete(d.id));
    });
  }

  // ------------------------------------------------------------------ TransactionUser

  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    const problem = validateRequest(request, { role: 'uas', methods: new Set(this.allow), supported: this.supported });
    if (problem) {
      // A 400 says what is wrong in its reason phrase, as Kamailio's sl_reply_error does.
      const reason = problem.status === 400 ? problem.reason.replace(/[\r\n]/g, ' ').slice(0, 80) : undefined;
      tx.respond(responseTo(request, problem.status, { ...(reason ? { reason } : {}), headers: problem.headers }));
      return;
    }
    if (request.toTag !== undefined) {
      this.onInDialogRequest(request, tx);
      return;
    }
    switch (request.method) {
      case 'INVITE':
        this.onInvite(request, tx as InviteServerTransaction);
        return;
      case 'OPTIONS':
        tx.respond(this.optionsResponse(request));
        return;
      case 'NOTIFY': {
        tx.respond(this.simpleResponse(request, 200));
        const event = request.tryGet('event');
        if (event.ok && event.value?.type.toLowerCase() === 'check-sync') this.events.emit('checkSync', request);
        else this.events.emit('unsolicitedNotify', request);
        return;
      }
      case 'MESSAGE':
        tx.respond(this.simpleResponse(request, 200));
        this.events.emit('message', request);
        return;
      case 'CANCEL':
      case 'BYE':
        tx.respond(this.simpleResponse(request, 481));
        return;
      default:
        tx.respond(this.simpleResponse(request, 405, [['Allow', this.allow.join(', ')]]));
    }
  }

  private onInDialogRequest(request: IncomingRequest, tx: ServerTransaction): void {
    const dialog = this.dialogs.forRequest(request);
    if (!dialog) {
      // Section 12.2.2: "If the UAS wishes to reject the request because it does not wish to
      // recreate the dialog, it MUST respond to the request with a 481".
      tx.respond(this.simpleResponse(request, 481));
      return;
    }
    if (!dialog.receiveRequest(request)) {
      tx.respond(this.simpleResponse(request, 500, [['Retry-After', '1']]));
      return;
    }
    const call = this.callsByDialog.get(dialog.id) ?? this.findCall(dialog);
    if (!call) {
      tx.respond(this.simpleResponse(request, 481));
      return;
    }
    if (call.state === 'terminated' && request.method !== 'NOTIFY' && request.method !== 'REFER') {
      tx.respond(this.simpleResponse(request, 481));
      return;
    }
    call.onRequest(request, tx);
  }

  private findCall(dialog: Dialog): Call | undefined {
    for (const c of this.calls.values()) if (c.dialog === dialog) return c;
    return undefined;
  }

  private onInvite(request: IncomingRequest, tx: InviteServerTransaction): void {
    const pending = { cancelled: false };
    this.pendingInvites.set(tx, pending);
    this.acceptInvite(request, tx, pending).then(
      () => this.pendingInvites.delete(tx),
      (err) => {
        this.pendingInvites.delete(tx);
        this.logger.error('incoming INVITE failed', { error: String(err) });
        if (!pending.cancelled) tx.respond(this.simpleResponse(request, 500));
      },
    );
  }

  private async acceptInvite(
    request: IncomingRequest,
    tx: InviteServerTransaction,
    pending: { cancelled: boolean },
  ): Promise<void> {
    let replaced: Call | undefined;
    if (request.has('replaces')) {
      const r = request.tryGet('replaces');
      if (!r.ok || !r.value) {
        tx.respond(this.simpleResponse(request, 400));
        return;
      }
      // RFC 3891 section 3: to-tag is our local tag, from-tag the remote one.
      const rep = r.value;
      const dialog = this.dialogs.get(
        rep.callId,
        rep.params.getUnquoted('to-tag') ?? '',
        rep.params.getUnquoted('from-tag') ?? '',
      );
      replaced = dialog ? (this.callsByDialog.get(dialog.id) ?? this.findCall(dialog)) : undefined;
      if (!replaced || replaced.state === 'terminated') {
        tx.respond(this.simpleResponse(request, 481));
        return;
      }
      if (rep.params.has('early-only') && replaced.state === 'established') {
        tx.respond(this.simpleResponse(request, 486));
        return;
      }
    }
    const media = await this.mediaFactory();
    if (pending.cancelled) {
      // The CANCEL was answered (487) while the media was being set up.
      media.stop();
      return;
    }
    let answer: string | undefined;
    if (request.body.length > 0) {
      const r = media.receiveOffer(request.bodyText);
      if (!r.ok) {
        const headers: [string, string][] = r.warning
          ? [['Warning', `${r.warning.code} ${this.aor.host} "${r.warning.text}"`]]
          : [];
        tx.respond(this.simpleResponse(request, r.status, headers));
        media.stop();
        return;
      }
      answer = r.answer;
    }
    const call = Call.incoming(this.ctx, request, tx, media, answer);
    this.track(call);
    if (replaced && this.autoAnswerReplaces) {
      const old = replaced;
      call.replacing = old;
      call.answer();
      // Seed 000 steps 21-23: 200 to A, ACK from A, then C sends BYE to B.
      call.events.once('confirmed', () => old.hangup({ reason: 'replaced' }));
      this.events.emit('callReplaced', call, old);
      return;
    }
    if (replaced) call.replacing = replaced;
    if (!this.events.emit('incomingCall', call)) call.reject(480, 'Temporarily Unavailable');
  }

  onAck(ack: IncomingRequest): void {
    const dialog = this.dialogs.forRequest(ack);
    if (!dialog) return;
    const call = this.callsByDialog.get(dialog.id) ?? this.findCall(dialog);
    call?.onAck(ack);
  }

  onCancel(invite: InviteServerTransaction): void {
    const pending = this.pendingInvites.get(invite);
    if (pending) {
      pending.cancelled = true;
      invite.respond(responseTo(invite.request, 487, { toTag: newTag() }));
      return;
    }
    for (const call of this.calls.values()) {
      if (call.inviteRequest === invite.request) {
        call.onCancel();
        return;
      }
    }
    invite.respond(responseTo(invite.request, 487, { toTag: newTag() }));
  }

  onStrayResponse(response: IncomingResponse): void {
    const cseq = response.get('cseq');
    if (cseq?.method !== 'INVITE' || response.status < 200 || response.status >= 300) return;
    for (const call of this.calls.values()) {
      if (call.direction === 'outgoing' && call.callId === response.get('call-id')) {
        call.onStray2xx(response);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ responses

  private simpleResponse(
    request: IncomingRequest,
    status: number,
    headers: readonly (readonly [string, string])[] = [],
  ) {
    return responseTo(request, status, { headers: [['Server', this.userAgent], ...headers] });
  }

  /** Section 11.2: OPTIONS is answered as an INVITE would be, with Allow, Accept and Supported. */
  private optionsResponse(request: IncomingRequest) {
    const res = responseTo(request, 200, {
      headers: [
        ['Server', this.userAgent],
        ['Allow', this.allow.join(', ')],
        ['Accept', 'application/sdp, message/sipfrag'],
        ['Accept-Language', 'en'],
        ['Supported', this.supported.join(', ')],
      ],
      contact: this.contact(),
    });
    return res;
  }
}
