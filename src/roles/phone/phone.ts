/**
 * The phone (the Cisco 7940/7960, Snom and Yealink phones of the seeds, as a program): one UA on
 * its own SIP transport, a local audio device (microphone source, analysing speaker) routed to
 * the current call or to a local 3-way conference through media/'s PhoneAudio bridge, and the
 * features people expect, each a setting or a command: several lines, call waiting, do not
 * disturb, auto-answer, hold and resume (RFC 3264 or c=0.0.0.0), swapping, consultation,
 * transfer (transfers.ts), conference, ring timeout, digest authentication, registration, a dial
 * plan with an emergency route, primary/backup proxies.
 *
 * Behaviour that follows the seeds (Cisco SIP phone call flows): starting a new call or
 * answering a waiting one puts the call in progress on hold first; resuming one call holds the
 * other; a conference takes held legs off hold and mixes them; a call is reported "held" only
 * once the hold offer/answer has completed.
 */
import { createMediaSession, FrameTicker, PhoneAudio, type ToneReading } from '../../media/index.js';
import { type NameAddr, SipUri } from '../../sip/index.js';
import { TransactionLayer } from '../../transaction/index.js';
import { TransportManager } from '../../transport/index.js';
import type { Call, UserAgent } from '../../ua/index.js';
import { type Clock, RealClock } from '../../util/clock.js';
import { Emitter } from '../../util/emitter.js';
import { errorMessage } from '../../util/errors.js';
import { type Logger, nullLogger } from '../../util/logger.js';
import { CallControl } from './call-control.js';
import { CallRouter, type RouteOutcome } from './call-routing.js';
import { createPhoneUa } from './create-phone-ua.js';
import { PhoneCall } from './phone-call.js';
import { type PhoneConfig, type PhoneConfigInput, parsePhoneConfig } from './phone-config.js';
import { describeSource, type Hearing, openAudioSource, PhoneSpeaker } from './phone-device.js';
import type { CallEvent, CallEventFields, CallSnapshot, PhoneEvent, PhoneEvents } from './phone-events.js';
import { PhoneRegistration } from './phone-registration.js';
import { type ActionResult, failure, PhoneError } from './phone-results.js';
import { PhoneSessionMedia } from './session-media.js';
import { Transfers } from './transfers.js';

export interface PhoneOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface DialOptions {
  /** Put the call in progress on hold first (default true, as the seeds' phones do). */
  readonly holdCurrent?: boolean;
  readonly referredBy?: NameAddr;
  readonly requestedBy?: NameAddr;
  readonly replaces?: string;
}

export type DialResult = { readonly ok: true; readonly call: CallSnapshot } | Extract<ActionResult, { ok: false }>;

export class Phone {
  readonly events: Emitter<PhoneEvents>;
  readonly transfers: Transfers;
  private readonly control: CallControl;
  private readonly calls = new Map<string, PhoneCall>();
  private nextId = 1;
  private currentId: string | undefined;
  private stopped = false;
  private readonly router: CallRouter;
  private readonly registrationHandle: PhoneRegistration;
  private sourceName: string;

  private constructor(
    private configValue: PhoneConfig,
    readonly ua: UserAgent,
    readonly transport: TransportManager,
    private readonly audio: PhoneAudio,
    readonly speaker: PhoneSpeaker,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    this.events = new Emitter((err, event) =>
      logger.error('phone event listener threw', { event, error: String(err) }),
    );
    this.sourceName = describeSource(configValue.audio.source);
    this.router = new CallRouter(configValue, `${ua.aor.host}${ua.aor.port !== undefined ? `:${ua.aor.port}` : ''}`);
    this.transfers = new Transfers(this);
    this.control = new CallControl(this);
    this.registrationHandle = new PhoneRegistration(this);
    ua.events.on('incomingCall', (call) => this.onIncoming(call));
    ua.events.on('callReplaced', (call, old) => this.onReplaced(call, old));
    ua.events.on('checkSync', (req) => {
      const event = req.tryGet('event');
      const reboot = event.ok && event.value?.params.get('reboot') === 'true';
      this.emit({ event: 'check-sync', reboot });
    });
    ua.events.on('message', (req) => this.emit({ event: 'message', from: req.from.toString(), text: req.bodyText }));
  }

  /** Starts a phone: binds SIP, opens the audio source, registers when a registrar is configured. */
  static async start(input: PhoneConfig | PhoneConfigInput, options: PhoneOptions = {}): Promise<Phone> {
    const config = 'autoAnswerMs' in input ? input : parsePhoneConfig(input);
    const clock = options.clock ?? new RealClock();
    const logger = options.logger ?? nullLogger;
    const source = await openAudioSource(config.audio.source).catch((err: unknown) => {
      throw new PhoneError('ERR_PHONE_START', `audio.source: ${errorMessage(err)}`, { cause: err });
    });
    const transport = new TransportManager({
      listen: [{ transport: config.transport, host: config.host, port: config.port }],
      clock,
      logger,
    });
    try {
      await transport.start();
    } catch (err) {
      throw new PhoneError('ERR_PHONE_START', `cannot listen on ${config.host}:${config.port}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const transactions = new TransactionLayer({
      transport,
      clock,
      logger,
      timers: { T1: config.timers.t1, T2: config.timers.t2, T4: config.timers.t4 },
    });
    const ticker = new FrameTicker({ clock, onError: (err) => logger.error('media tick failed', { error: err }) });
    let phone: Phone | undefined;
    const ua = createPhoneUa(config, transactions, clock, logger, async () => {
      const c = phone?.config ?? config;
      const session = await createMediaSession({
        localAddress: c.rtp.address,
        ...(c.rtp.portMin !== undefined && c.rtp.portMax !== undefined
          ? { portRange: { min: c.rtp.portMin, max: c.rtp.portMax } }
          : {}),
        codecs: c.codecs,
        holdStyle: c.holdStyle,
        ticker,
        clock,
        logger,
      });
      return new PhoneSessionMedia(session);
    });
    const speaker = new PhoneSpeaker((r) => phone?.onSpeakerChange(r), config.audio.record !== undefined);
    const audio = new PhoneAudio({ ticker, microphone: source, speaker });
    phone = new Phone(config, ua, transport, audio, speaker, clock, logger);
    const contact = ua.contact();
    phone.emit({
      event: 'started',
      aor: ua.identity.toString(),
      contact: contact.uri.toString(),
      address: contact.uri instanceof SipUri ? contact.uri.hostname : config.host,
      port: contact.uri instanceof SipUri ? (contact.uri.port ?? 5060) : config.port,
    });
    if (config.registrar) void phone.register();
    return phone;
  }

  get config(): PhoneConfig {
    return this.configValue;
  }

  /** Our SIP URI that other phones dial (the AOR, or the contact in peer-to-peer use). */
  get uri(): string {
    return this.ua.identity.uri.toString();
  }

  /** The contact URI (where this phone receives requests). */
  get contactUri(): string {
    return this.ua.contact().uri.toString();
  }

  /** Sends an event to listeners (by its name and as 'event'). */
  emit(e: PhoneEvent): void {
    (this.events.emit as (name: string, arg: PhoneEvent) => boolean)(e.event, e);
    this.events.emit('event', e);
  }

  emitCall(pc: PhoneCall, extra: CallEventFields): void {
    this.emit({ ...this.snapshot(pc), ...extra } as CallEvent);
  }

  // ------------------------------------------------------------------ calls

  snapshot(pc: PhoneCall): CallSnapshot {
    const current = pc.id === this.currentId || (pc.conference && this.inConference().includes(pc));
    const sending = !pc.session.sending
      ? 'nothing'
      : pc.conference && this.inConference().length >= 2
        ? 'mix'
        : current
          ? this.sourceName
          : 'silence';
    return pc.snapshot(current, sending);
  }

  /** Every call in progress, as the `calls` command lists them. */
  list(): CallSnapshot[] {
    return [...this.calls.values()].map((pc) => this.snapshot(pc));
  }

  /** A call by its phone id. */
  get(id: string): PhoneCall | undefined {
    return this.calls.get(id);
  }

  /** The call the handset talks to (established or being dialled), if any. */
  current(): PhoneCall | undefined {
    return this.currentId === undefined ? undefined : this.calls.get(this.currentId);
  }

  active(): PhoneCall[] {
    return [...this.calls.values()].filter((c) => !c.ended);
  }

  inConference(): PhoneCall[] {
    return this.active().filter((c) => c.conference && c.established);
  }

  /** What the speaker hears now. */
  hearing(): Hearing {
    return this.speaker.hearing();
  }

  /** Picks the call a command means: the one named, else the only one matching `want`, else the current one. */
  pick(ref: string | undefined, want: (c: PhoneCall) => boolean): PhoneCall | ActionResult {
    if (ref !== undefined) {
      const pc = this.calls.get(ref);
      if (!pc || pc.ended) return failure('ERR_PHONE_NO_CALL', `no call ${ref}`);
      return pc;
    }
    const candidates = this.active().filter(want);
    const cur = this.current();
    if (cur && candidates.includes(cur)) return cur;
    if (candidates.length === 1) return candidates[0] as PhoneCall;
    if (candidates.length === 0) return failure('ERR_PHONE_NO_CALL', 'no call to act on');
    return failure('ERR_PHONE_AMBIGUOUS', `several calls (${candidates.map((c) => c.id).join(', ')}): name one`);
  }

  track(call: Call): PhoneCall {
    const media = call.media;
    if (!(media instanceof PhoneSessionMedia)) throw new TypeError('a phone call must use the phone media');
    const pc = new PhoneCall(String(this.nextId++), call, media.session);
    this.calls.set(pc.id, pc);
    call.events.on('progress', (status, reason) => this.emitCall(pc, { event: 'progress', status, reason }));
    call.events.on('established', () => {
      pc.clearTimers();
      this.route();
      this.emitCall(pc, { event: 'established' });
    });
    call.events.on('mediaUpdated', () => this.route());
    call.events.on('remoteHold', () => this.emitCall(pc, { event: 'remote-hold' }));
    call.events.on('remoteResume', () => this.emitCall(pc, { event: 'remote-resume' }));
    call.events.on('transferRequested', (t) => this.transfers.onTransferRequested(pc, t));
    call.events.on('ended', (end) => this.onEnded(pc, end));
    pc.session.on('dtmf', (d) => this.emitCall(pc, { event: 'dtmf', digit: d.digit }));
    pc.session.on('rtpStarted', () => this.emitCall(pc, { event: 'rtp', rtp: 'started' }));
    pc.session.on('rtpStopped', () => this.emitCall(pc, { event: 'rtp', rtp: 'stopped' }));
    return pc;
  }

  private onEnded(pc: PhoneCall, end: NonNullable<Call['ended']>): void {
    pc.clearTimers();
    const wasConference = pc.conference;
    pc.conference = false;
    this.audio.detach(pc.session);
    if (this.currentId === pc.id) this.currentId = undefined;
    if (wasConference) {
      const rest = this.inConference();
      if (rest.length === 1 && rest[0]) {
        // A 3-way call that loses a leg goes back to a two-party call with the other one.
        rest[0].conference = false;
        this.currentId = rest[0].id;
        this.emit({ event: 'conference', calls: [rest[0].id], state: 'ended' });
      }
    }
    this.route();
    this.emitCall(pc, {
      event: 'ended',
      reason: pc.localCause ?? end.reason,
      by: end.by,
      status: end.status ?? null,
      text: end.text ?? null,
      ...(end.also ? { also: end.also.map((a) => a.toString()) } : {}),
    });
    this.calls.delete(pc.id);
    this.autoAnswer();
    if (this.config.audio.record) void this.speaker.save(this.config.audio.record);
    if (end.also && end.by === 'remote') this.transfers.onAlso(pc, end.also);
  }

  private onIncoming(call: Call): void {
    const pc = this.track(call);
    const others = this.active().filter((c) => c !== pc);
    const referredBy = call.inviteRequest?.tryGet('referred-by');
    const requestedBy = call.inviteRequest?.tryGet('requested-by');
    this.emitCall(pc, {
      event: 'incoming',
      waiting: others.length > 0,
      ...(referredBy?.ok && referredBy.value ? { referredBy: referredBy.value.toString() } : {}),
      ...(requestedBy?.ok && requestedBy.value ? { requestedBy: requestedBy.value.toString() } : {}),
    });
    if (this.config.dnd) {
      pc.localCause = 'dnd';
      call.reject(this.config.dndStatus);
      return;
    }
    if (others.length >= this.config.lines || (others.length > 0 && !this.config.callWaiting)) {
      // RFC 3261 section 21.4.7: 486 Busy Here, "the callee's end system was contacted
      // successfully, but the callee is currently not willing or able to take additional calls".
      pc.localCause = 'busy';
      call.reject(486);
      return;
    }
    call.ring();
    this.autoAnswer();
  }

  /**
   * Auto-answer (intercom, tests) picks up a ringing call once the phone has no established call:
   * at once for a call to an idle phone, or when the call in progress ends.
   */
  private autoAnswer(): void {
    const delay = this.config.autoAnswerMs;
    if (delay === null || this.active().some((c) => c.established)) return;
    for (const pc of this.active()) {
      if (!pc.alerting || pc.autoAnswering) continue;
      pc.autoAnswering = true;
      pc.timers.push(this.clock.setTimer(delay, () => void this.answer(pc.id)));
    }
  }

  private onReplaced(call: Call, old: Call): void {
    const pc = this.track(call);
    const oldPc = [...this.calls.values()].find((c) => c.call === old);
    if (!this.current() || this.currentId === oldPc?.id) this.currentId = pc.id;
    this.emitCall(pc, { event: 'incoming', waiting: false, replaces: true });
    this.route();
    this.emitCall(pc, { event: 'established' });
  }

  /** Re-derives who hears whom after any change (PhoneAudio connections only; hold is SIP's). */
  route(): void {
    if (this.stopped) return;
    const conf = this.inConference().filter((c) => !c.held);
    if (conf.length >= 2) {
      this.audio.conference(conf.map((c) => c.session));
      return;
    }
    const cur = this.current();
    if (cur?.established && !cur.held) this.audio.talkTo(cur.session);
    else this.audio.talkTo(null);
  }

  setCurrent(pc: PhoneCall | undefined): void {
    this.currentId = pc?.id;
    this.route();
  }

  private onSpeakerChange(_reading: ToneReading): void {
    const cur = this.current();
    const conf = this.inConference();
    const snap = cur ? this.snapshot(cur) : undefined;
    this.emit({
      event: 'media',
      call: conf.length >= 2 ? conf.map((c) => c.id).join('+') : (cur?.id ?? null),
      state: conf.length >= 2 ? 'conference' : (snap?.state ?? 'idle'),
      remote: snap?.remote ?? null,
      sending: conf.length >= 2 ? 'mix' : (snap?.sending ?? 'nothing'),
      receiving: this.speaker.hearing(),
    });
  }

  // ------------------------------------------------------------------ commands

  /** Answers a ringing call (default: the only one); the call in progress is held first. */
  answer(ref?: string): Promise<ActionResult> {
    return this.control.answer(ref);
  }

  /** Refuses a ringing call (486 Busy Here unless another status is given). */
  reject(ref?: string, status?: number): ActionResult {
    return this.control.reject(ref, status);
  }

  /** Ends a call whatever its state (CANCEL, rejection or BYE); 'all' ends every call. */
  hangup(ref?: string): ActionResult {
    return this.control.hangup(ref);
  }

  hold(ref?: string): Promise<ActionResult> {
    return this.control.hold(ref);
  }

  /** Takes a call off hold (holding the one in progress first) and makes it current. */
  resume(ref?: string): Promise<ActionResult> {
    return this.control.resume(ref);
  }

  swap(): Promise<ActionResult> {
    return this.control.swap();
  }

  line(ref: string): Promise<ActionResult> {
    return this.control.line(ref);
  }

  conference(refs?: readonly string[]): Promise<ActionResult> {
    return this.control.conference(refs);
  }

  dtmf(digits: string, ref?: string): ActionResult {
    return this.control.dtmf(digits, ref);
  }

  /** Blind transfer (REFER, BYE after 202; BYE/Also fallback). */
  transfer(target: string, ref?: string): Promise<ActionResult> {
    return this.transfers.blind(target, ref);
  }

  /** Attended transfer of call `ref` (default: the held one) to the party of call `consultRef` (default: the current one). */
  transferAttended(ref?: string, consultRef?: string): Promise<ActionResult> {
    return this.transfers.attended(ref, consultRef);
  }

  /** Where a dialled string goes (dial plan, route, proxies), without calling. */
  resolveTarget(target: string): RouteOutcome {
    return this.router.resolve(target);
  }

  /** Starts a call. */
  async dial(target: string, options: DialOptions = {}): Promise<DialResult> {
    if (this.stopped) return failure('ERR_PHONE_STOPPED', 'the phone is stopped') as DialResult;
    if (this.active().length >= this.config.lines)
      return failure('ERR_PHONE_LINES_BUSY', `all ${this.config.lines} lines are in use`) as DialResult;
    const r = this.router.resolve(target);
    if (!r.ok) return failure('ERR_PHONE_TARGET', r.error) as DialResult;
    if (options.holdCurrent !== false) await this.holdTalking();
    let call: Call;
    try {
      call = await this.ua.call(r.route.uri, {
        proxies: r.route.proxies,
        ...(options.referredBy ? { referredBy: options.referredBy } : {}),
        ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
        ...(options.replaces ? { replaces: options.replaces } : {}),
      });
    } catch (err) {
      return failure('ERR_PHONE_TARGET', `cannot place the call: ${errorMessage(err)}`) as DialResult;
    }
    const pc = this.track(call);
    this.currentId = pc.id;
    if (this.config.ringTimeoutMs > 0) {
      pc.timers.push(
        this.clock.setTimer(this.config.ringTimeoutMs, () => {
          if (pc.established || pc.ended) return;
          // The seeds' "CANCEL (Ring Timeout)": the caller gives up (RFC 3261 section 9.1).
          pc.localCause = 'ring-timeout';
          call.cancel();
        }),
      );
    }
    this.emitCall(pc, {
      event: 'dialing',
      target: r.route.uri.toString(),
      route: r.route.route,
      ...(r.route.template ? { template: r.route.template } : {}),
    });
    return { ok: true, call: this.snapshot(pc) };
  }

  /** Holds the call (or conference) the handset talks to, if any: what a phone does before another call. */
  async holdTalking(except?: PhoneCall): Promise<void> {
    const talking = [...new Set([this.current(), ...this.inConference()])].filter(
      (c): c is PhoneCall => c !== undefined && c !== except && c.established && !c.held,
    );
    for (const c of talking) c.conference = false;
    await Promise.all(talking.map((c) => this.holdCall(c)));
  }

  /** One re-INVITE at a time per call: waits for any exchange in flight first. */
  async exclusive<T>(pc: PhoneCall, fn: () => Promise<T>): Promise<T> {
    while (pc.busy) await pc.busy;
    const p = fn();
    pc.busy = p;
    try {
      return await p;
    } finally {
      if (pc.busy === p) pc.busy = undefined;
    }
  }

  async holdCall(pc: PhoneCall): Promise<ActionResult> {
    return this.exclusive(pc, async () => {
      if (!pc.established) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}`);
      if (pc.held) return { ok: true, call: this.snapshot(pc), detail: 'already held' };
      const r = await pc.call.hold();
      this.route();
      if (!r.ok) return failure('ERR_PHONE_REFUSED', `hold refused: ${r.reason}`, r.status);
      this.emitCall(pc, { event: 'held' });
      return { ok: true, call: this.snapshot(pc) };
    });
  }

  async resumeCall(pc: PhoneCall): Promise<ActionResult> {
    return this.exclusive(pc, async () => {
      if (!pc.established) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}`);
      if (!pc.held) return { ok: true, call: this.snapshot(pc), detail: 'not held' };
      const r = await pc.call.resume();
      this.route();
      if (!r.ok) return failure('ERR_PHONE_REFUSED', `resume refused: ${r.reason}`, r.status);
      this.emitCall(pc, { event: 'resumed' });
      return { ok: true, call: this.snapshot(pc) };
    });
  }

  // ------------------------------------------------------------------ registration, lifecycle

  register(): Promise<ActionResult> {
    return this.registrationHandle.register();
  }

  unregister(): Promise<ActionResult> {
    return this.registrationHandle.unregister();
  }

  /** Applies new settings that take effect without a restart; returns the ones that need one. */
  async reconfigure(next: PhoneConfig): Promise<string[]> {
    const restart = (['user', 'domain', 'host', 'port', 'transport', 'proxies', 'registrar', 'timers'] as const).filter(
      (k) => JSON.stringify(next[k]) !== JSON.stringify(this.configValue[k]),
    );
    if (JSON.stringify(next.audio.source) !== JSON.stringify(this.configValue.audio.source)) {
      this.audio.setMicrophone(await openAudioSource(next.audio.source));
      this.sourceName = describeSource(next.audio.source);
    }
    this.configValue = next;
    this.router.reconfigure(next);
    return restart;
  }

  /** Hangs up every call, unregisters, and closes SIP and audio. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    const ended = this.active().map((pc) => pc.call.waitEnded());
    for (const pc of this.active()) pc.call.hangup();
    await Promise.race([Promise.all(ended), new Promise((r) => this.clock.setTimer(2000, () => r(undefined)))]);
    await this.registrationHandle.stop();
    this.stopped = true;
    for (const pc of this.calls.values()) pc.clearTimers();
    if (this.config.audio.record) await this.speaker.save(this.config.audio.record);
    this.ua.close();
    this.audio.close();
    await this.transport.stop();
    this.emit({ event: 'stopped' });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Our identity for Referred-By / Requested-By. */
  get identity(): NameAddr {
    return this.ua.identity;
  }
}
