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
import type { AudioSource, PhoneAudio, ToneReading } from '../../media/index.js';
import { type NameAddr, SipUri } from '../../sip/index.js';
import type { TransportManager } from '../../transport/index.js';
import type { Call, UserAgent } from '../../ua/index.js';
import { type Clock, RealClock, type TimerHandle } from '../../util/clock.js';
import { Emitter } from '../../util/emitter.js';
import { type Logger, nullLogger } from '../../util/logger.js';
import { CallControl } from './call-control.js';
import { CallRouter, type RouteOutcome } from './call-routing.js';
import { IncomingCalls } from './incoming-calls.js';
import { PhoneCall } from './phone-call.js';
import { type PhoneConfig, type PhoneConfigInput, parsePhoneConfig } from './phone-config.js';
import { describeSource, type Hearing, openAudioSource, type PhoneSpeaker } from './phone-device.js';
import type { CallEvent, CallEventFields, CallSnapshot, PhoneEvent, PhoneEvents } from './phone-events.js';
import { PhoneRegistration } from './phone-registration.js';
import { type ActionResult, failure } from './phone-results.js';
import { openPhoneStack, type PhoneStack } from './phone-stack.js';
import { PhoneSessionMedia } from './session-media.js';
import { Transfers } from './transfers.js';

/** How long stop() waits for the BYEs and the unregistration to be answered. */
const STOP_GRACE_MS = 2000;

export interface PhoneOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Gets every event from the first ('started') on. */
  readonly onEvent?: (e: PhoneEvent) => void;
}

export interface DialOptions {
  /** Put the call in progress on hold first (default true, as the seeds' phones do). */
  readonly holdCurrent?: boolean;
  readonly referredBy?: NameAddr;
  readonly requestedBy?: NameAddr;
  readonly replaces?: string;
  /** The call this one takes over (a transfer): it does not count against the lines. */
  readonly takesOver?: PhoneCall;
}

export type DialResult = { readonly ok: true; readonly call: CallSnapshot } | Extract<ActionResult, { ok: false }>;

export class Phone {
  readonly events: Emitter<PhoneEvents>;
  readonly transfers: Transfers;
  private readonly control: CallControl;
  private readonly incoming: IncomingCalls;
  private readonly calls = new Map<string, PhoneCall>();
  private nextId = 1;
  private currentId: string | undefined;
  private stopped = false;
  private readonly router: CallRouter;
  private readonly registrationHandle: PhoneRegistration;
  private sourceName: string;
  private microphone: AudioSource;
  private mutedValue = false;

  readonly ua: UserAgent;
  readonly transport: TransportManager;
  readonly speaker: PhoneSpeaker;
  private readonly audio: PhoneAudio;

  private constructor(
    private configValue: PhoneConfig,
    stack: PhoneStack,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    const ua = stack.ua;
    this.ua = ua;
    this.transport = stack.transport;
    this.speaker = stack.speaker;
    this.audio = stack.audio;
    this.microphone = stack.source;
    this.events = new Emitter((err, event) =>
      logger.error('phone event listener threw', { event, error: String(err) }),
    );
    this.sourceName = describeSource(configValue.audio.source);
    this.router = new CallRouter(configValue, `${ua.aor.host}${ua.aor.port !== undefined ? `:${ua.aor.port}` : ''}`);
    this.transfers = new Transfers(this);
    this.control = new CallControl(this);
    this.incoming = new IncomingCalls(this);
    this.registrationHandle = new PhoneRegistration(this);
    ua.events.on('incomingCall', (call) => this.incoming.onIncoming(call));
    ua.events.on('callReplaced', (call, old) => this.incoming.onReplaced(call, old));
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
    let phone: Phone | undefined;
    const stack = await openPhoneStack(config, clock, logger, {
      config: () => phone?.config ?? config,
      onSpeakerChange: (r) => phone?.onSpeakerChange(r),
    });
    const { ua } = stack;
    phone = new Phone(config, stack, clock, logger);
    if (options.onEvent) phone.events.on('event', options.onEvent);
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
    // `event` first, so that a JSON line reads as what happened, then to which call.
    this.emit(Object.assign({ event: extra.event }, this.snapshot(pc), extra) as CallEvent);
  }

  // ------------------------------------------------------------------ calls

  snapshot(pc: PhoneCall): CallSnapshot {
    const current = pc.id === this.currentId || (pc.conference && this.inConference().includes(pc));
    const sending = !pc.session.sending
      ? 'nothing'
      : pc.conference && this.inConference().length >= 2
        ? 'mix'
        : current
          ? this.mutedValue
            ? 'silence (muted)'
            : this.sourceName
          : 'silence';
    return pc.snapshot(current, sending);
  }

  /** Every call in progress, as the `calls` command lists them. */
  list(): CallSnapshot[] {
    return [...this.calls.values()].map((pc) => this.snapshot(pc));
  }

  /** Every call the phone tracks (ended ones leave at once). */
  allCalls(): PhoneCall[] {
    return [...this.calls.values()];
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
    this.incoming.autoAnswer();
    if (this.config.audio.record) void this.speaker.save(this.config.audio.record);
    if (end.also && end.by === 'remote') this.transfers.onAlso(pc, end.also);
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

  /** The speaker's tone detector saw a change: report what is heard now. */
  onSpeakerChange(_reading: ToneReading): void {
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

  /** Starts a call (the call in progress is put on hold first unless told otherwise). */
  dial(target: string, options: DialOptions = {}): Promise<DialResult> {
    return this.control.dial(target, options);
  }

  /** Holds the call (or conference) the handset talks to, if any, except `except`. */
  holdTalking(except?: PhoneCall): Promise<void> {
    return this.control.holdTalking(except);
  }

  holdCall(pc: PhoneCall): Promise<ActionResult> {
    return this.control.holdCall(pc);
  }

  resumeCall(pc: PhoneCall): Promise<ActionResult> {
    return this.control.resumeCall(pc);
  }

  // ------------------------------------------------------------------ registration, lifecycle

  register(): Promise<ActionResult> {
    return this.registrationHandle.register();
  }

  unregister(): Promise<ActionResult> {
    return this.registrationHandle.unregister();
  }

  /** Mutes the microphone (calls go on, sending silence) or unmutes it. */
  mute(on: boolean): ActionResult {
    this.mutedValue = on;
    this.audio.setMicrophone(on ? null : this.microphone);
    return { ok: true, detail: on ? 'muted' : 'unmuted' };
  }

  get muted(): boolean {
    return this.mutedValue;
  }

  /** Applies new settings that take effect without a restart; returns the ones that need one. */
  async reconfigure(next: PhoneConfig): Promise<string[]> {
    const restart = (['user', 'domain', 'host', 'port', 'transport', 'proxies', 'registrar', 'timers'] as const).filter(
      (k) => JSON.stringify(next[k]) !== JSON.stringify(this.configValue[k]),
    );
    if (JSON.stringify(next.audio.source) !== JSON.stringify(this.configValue.audio.source)) {
      this.microphone = await openAudioSource(next.audio.source);
      if (!this.mutedValue) this.audio.setMicrophone(this.microphone);
      this.sourceName = describeSource(next.audio.source);
    }
    if (next.audio.record !== undefined) this.speaker.startRecording();
    else if (this.configValue.audio.record !== undefined) {
      await this.speaker.save(this.configValue.audio.record);
      this.speaker.stopRecording();
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
    // BYEs and the unregistration get a moment, not a full transaction timeout, on the way out.
    await this.within(STOP_GRACE_MS, Promise.all(ended));
    await this.within(STOP_GRACE_MS, this.registrationHandle.stop());
    this.stopped = true;
    for (const pc of this.calls.values()) pc.clearTimers();
    if (this.config.audio.record) await this.speaker.save(this.config.audio.record);
    this.ua.close();
    this.audio.close();
    await this.transport.stop();
    this.emit({ event: 'stopped' });
  }

  private async within(ms: number, work: Promise<unknown>): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([work, new Promise((resolve) => (timer = this.clock.setTimer(ms, () => resolve(undefined))))]);
    timer?.cancel();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Our identity for Referred-By / Requested-By. */
  get identity(): NameAddr {
    return this.ua.identity;
  }
}
