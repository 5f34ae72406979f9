/**
 * MediaSession over RTP/UDP: the offer/answer negotiator (sdp/) glued to an RTP sender and
 * receiver, RTCP, DTMF, a jitter buffer, a tone detector and the session's source and sinks,
 * all driven by a shared FrameTicker. See media-session.ts for the contract and the hold rules;
 * the rules are applied in `shouldSend` and `dir.receive` below, both derived from the negotiated
 * SDP (cached per NegotiatedSession object, recomputed when it changes).
 *
 * Symmetric RTP (RFC 4961): we send from the socket we receive on. With `latch` set, the first
 * RTP packet after each negotiation that comes from somewhere other than the SDP address moves
 * our destination there (the usual NAT-traversal behaviour of phones and SBCs).
 */
import type { RemoteInfo } from 'node:dgram';
import {
  audioStreamOf,
  directionOf,
  type HoldDirection,
  type NegotiatedAudio,
  type NegotiatedSession,
  OfferAnswerNegotiator,
  type StreamDirection,
  serializeSdp,
} from '../sdp/index.js';
import { type Clock, errorMessage, type Logger, SwitchboardError } from '../util/index.js';
import { type AudioSink, type AudioSource, type BridgePort, FRAME_SAMPLES } from './audio-port.js';
import { DtmfReceiver, DtmfSender } from './dtmf.js';
import type { FrameTicker, TickParticipant } from './frame-ticker.js';
import { JitterBuffer } from './jitter-buffer.js';
import { publishMediaNegotiated, publishMediaState, publishPacket, rtpObserved } from './media-channels.js';
import type {
  MediaSession,
  MediaSessionEvents,
  MediaSessionState,
  MediaStats,
  OfferOptions,
  ReceiveAnswerResult,
  ReceiveOfferResult,
} from './media-session.js';
import type { ResolvedMediaSessionOptions } from './media-session-options.js';
import { RtcpReporter } from './rtcp-reporter.js';
import { RtpReceiver } from './rtp-receiver.js';
import { RtpSender } from './rtp-sender.js';
import type { RtpSocketPair } from './rtp-socket.js';
import { ToneDetector } from './tone-detector.js';
import { type Listener, TypedEvents } from './typed-events.js';

const SESSION_TRANSITIONS: Readonly<Record<MediaSessionState, readonly MediaSessionState[]>> = {
  created: ['started', 'stopped'],
  started: ['stopped'],
  stopped: [],
};

export class RtpMediaSession implements MediaSession, TickParticipant {
  private lifecycle: MediaSessionState = 'created';
  private readonly negotiator: OfferAnswerNegotiator;
  private readonly events: TypedEvents<MediaSessionEvents>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sender: RtpSender;
  private readonly receiver: RtpReceiver;
  private readonly rtcp: RtcpReporter;
  private readonly jitterBuffer: JitterBuffer;
  private readonly dtmfOut: DtmfSender;
  private readonly dtmfIn: DtmfReceiver;
  readonly toneDetector: ToneDetector | null;
  private sinks: AudioSink[] = [];
  private source: AudioSource | null = null;
  private holdSource: AudioSource | null;

  // Derived from the negotiated SDP; recomputed whenever the NegotiatedSession object changes.
  private derivedFrom: NegotiatedSession | null = null;
  private audio: NegotiatedAudio | null = null;
  private dir: StreamDirection = directionOf(null);

  private remoteAddress: string | null = null;
  private remoteRtpPort = 0;
  private remoteRtcpPort = 0;
  private latched = false;

  private readonly txFrame = new Int16Array(FRAME_SAMPLES);
  private readonly rxFrame = new Int16Array(FRAME_SAMPLES);
  private readonly bridgeIn = new Int16Array(FRAME_SAMPLES);
  private bridged = false;
  private rxActive = false;
  private currentTick = 0;

  private rtpFlowing = false;
  private lastRtpAt = 0;
  private discarded = 0;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly sockets: RtpSocketPair,
    readonly ticker: FrameTicker,
    private readonly options: ResolvedMediaSessionOptions,
  ) {
    this.clock = options.clock;
    this.log = options.logger.child({ rtpPort: sockets.rtpPort });
    this.events = new TypedEvents((err, event) =>
      this.log.warn('media event listener threw', { event: String(event), error: errorMessage(err) }),
    );
    this.negotiator = new OfferAnswerNegotiator({
      local: {
        address: options.localAddress,
        rtpPort: sockets.rtpPort,
        codecs: options.codecs,
        telephoneEvent: options.telephoneEvent,
        ptime: options.ptime,
        username: options.username,
        sessionName: options.sessionName,
      },
      holdStyle: options.holdStyle,
      answerPolicy: {
        noCommonCodecWarning: options.noCommonCodecWarning,
        preferRemoteCodecOrder: options.preferRemoteCodecOrder,
      },
    });
    const local = { address: sockets.address, port: sockets.rtpPort };
    this.sender = new RtpSender(sockets.rtp, (packet, address, port) => {
      if (rtpObserved()) publishPacket('rtp', 'tx', local, { address, port }, packet, this.clock.wallTime());
    });
    this.jitterBuffer = new JitterBuffer(options.jitterBuffer);
    this.dtmfOut = new DtmfSender(options.dtmf);
    this.dtmfIn = new DtmfReceiver((e) => this.events.emit('dtmf', e));
    this.receiver = new RtpReceiver(this.jitterBuffer, this.dtmfIn);
    this.rtcp = new RtcpReporter(this.clock, options.rtcpIntervalMs, options.cname);
    this.holdSource = options.holdSource;
    this.toneDetector = options.toneDetector
      ? new ToneDetector({ ...options.toneDetector, onChange: (r) => this.events.emit('toneChange', r) })
      : null;
    if (this.toneDetector) this.sinks.push(this.toneDetector);
    sockets.rtp.on('message', (msg, rinfo) => this.onRtp(msg, rinfo));
    sockets.rtcp.on('message', (msg, rinfo) => this.onRtcp(msg, rinfo));
    for (const s of [sockets.rtp, sockets.rtcp]) {
      s.on('error', (err) => {
        this.log.warn('media socket error', { error: err.message });
        this.events.emit('error', { message: err.message });
      });
    }
  }

  // --- state -------------------------------------------------------------------------------

  get state(): MediaSessionState {
    return this.lifecycle;
  }

  private transition(to: MediaSessionState): void {
    if (!SESSION_TRANSITIONS[this.lifecycle].includes(to)) {
      throw new SwitchboardError('ERR_MEDIA_STATE', `illegal media session transition ${this.lifecycle} -> ${to}`);
    }
    this.log.debug('media session state', { from: this.lifecycle, to });
    this.lifecycle = to;
    publishMediaState({
      local: { address: this.sockets.address, port: this.sockets.rtpPort },
      rtcpPort: this.sockets.rtcpPort,
      state: to,
      wallTime: this.clock.wallTime(),
    });
  }

  get localAddress(): string {
    return this.sockets.address;
  }
  get rtpPort(): number {
    return this.sockets.rtpPort;
  }
  get rtcpPort(): number {
    return this.sockets.rtcpPort;
  }
  get offerAnswerState(): 'stable' | 'have-local-offer' | 'have-remote-offer' {
    return this.negotiator.state;
  }
  get negotiated(): NegotiatedSession | null {
    return this.negotiator.negotiated;
  }
  get direction(): StreamDirection {
    this.derive();
    return this.dir;
  }
  get localHold(): boolean {
    return this.direction.localHold;
  }
  get remoteHold(): boolean {
    return this.direction.remoteHold;
  }
  get codec(): 'PCMU' | 'PCMA' | null {
    this.derive();
    return this.audio?.codec ?? null;
  }
  get sending(): boolean {
    return this.lifecycle === 'started' && this.shouldSend();
  }
  get receiving(): boolean {
    return this.lifecycle === 'started' && this.direction.receive;
  }

  /** Recomputes the derived view when the negotiated pair changed (identity check: cheap per tick). */
  private derive(): void {
    const n = this.negotiator.negotiated;
    if (n === this.derivedFrom) return;
    this.derivedFrom = n;
    this.audio = n ? audioStreamOf(n) : null;
    this.dir = directionOf(n);
    const a = this.audio;
    const address = a?.remoteAddress ?? null;
    if (address !== this.remoteAddress || a?.remoteRtpPort !== this.remoteRtpPort) this.latched = false;
    if (!this.latched) {
      this.remoteAddress = address;
      this.remoteRtpPort = a?.remoteRtpPort ?? 0;
      this.remoteRtcpPort = a?.remoteRtcpPort ?? 0;
    }
    this.receiver.configure(a?.receivePayloadTypes ?? new Map(), a?.telephoneEvent?.receivePayloadType ?? null);
    if (!this.dir.receive) this.jitterBuffer.reset();
  }

  /** The hold policy of media-session.ts: WE holding means no RTP unless a hold source is set. */
  private shouldSend(): boolean {
    this.derive();
    if (!this.audio || !this.dir.send || this.remoteAddress === null || this.remoteRtpPort === 0) return false;
    return !this.dir.localHold || this.holdSource !== null;
  }

  private afterExchange(): void {
    this.derive();
    this.log.debug('media negotiated', {
      codec: this.audio?.codec ?? null,
      remote: this.remoteAddress,
      port: this.remoteRtpPort,
      local: this.dir.local,
      remoteDirection: this.dir.remote,
    });
    publishMediaNegotiated({
      local: { address: this.sockets.address, port: this.sockets.rtpPort },
      remote: this.remoteAddress ? { address: this.remoteAddress, port: this.remoteRtpPort } : null,
      codec: this.audio?.codec ?? null,
      direction: this.dir,
      wallTime: this.clock.wallTime(),
    });
    this.events.emit('negotiated', { codec: this.audio?.codec ?? null, direction: this.dir });
  }

  // --- offer/answer ------------------------------------------------------------------------

  createOffer(options: OfferOptions = {}): string {
    return serializeSdp(this.negotiator.createOffer(options));
  }

  hold(direction: HoldDirection = 'sendonly'): string {
    return this.createOffer({ hold: direction });
  }

  resume(): string {
    return this.createOffer();
  }

  receiveAnswer(sdp: string): ReceiveAnswerResult {
    const r = this.negotiator.setRemoteAnswer(sdp);
    if (!r.ok) {
      this.log.info('answer refused', { reason: r.reason, detail: r.detail });
      return { ok: false, reason: r.reason, detail: r.detail };
    }
    if (r.changed) this.afterExchange();
    return { ok: true, changed: r.changed };
  }

  receiveOffer(sdp: string): ReceiveOfferResult {
    const r = this.negotiator.setRemoteOffer(sdp);
    if (!r.ok) return { ok: false, status: r.status, reason: r.reason };
    // Our own hold carries over into the answer, derived from the exchange in force: if we hold
    // the peer now, the answer keeps holding it, the way we held it.
    const d = this.direction;
    const current = this.negotiator.negotiated;
    const hold: HoldDirection | null = d.localHold
      ? (current?.localHoldIntent ?? (d.local === 'inactive' ? 'inactive' : 'sendonly'))
      : null;
    const a = this.negotiator.createAnswer({ hold });
    if (!a.ok) {
      this.log.info('offer refused', { reason: a.reason, warning: a.warning.code });
      return { ok: false, status: a.status, reason: a.reason, warning: a.warning };
    }
    this.afterExchange();
    return { ok: true, answer: serializeSdp(a.answer) };
  }

  rollback(): void {
    this.negotiator.rollback();
  }

  // --- lifecycle ---------------------------------------------------------------------------

  /** Publishes the 'created' state on sip:media:state (called once by the factory). */
  announce(): void {
    publishMediaState({
      local: { address: this.sockets.address, port: this.sockets.rtpPort },
      rtcpPort: this.sockets.rtcpPort,
      state: this.lifecycle,
      wallTime: this.clock.wallTime(),
    });
  }

  start(): void {
    if (this.lifecycle === 'started') return;
    this.transition('started');
    this.ticker.add(this);
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const wasStarted = this.lifecycle === 'started';
    this.transition('stopped');
    this.ticker.remove(this);
    if (wasStarted) this.sendRtcp(true);
    if (this.rtpFlowing) {
      this.rtpFlowing = false;
      this.events.emit('rtpStopped', { silentForMs: this.clock.now() - this.lastRtpAt, bye: false });
    }
    this.stopping = this.sockets.close();
    return this.stopping;
  }

  // --- audio graph -------------------------------------------------------------------------

  setSource(source: AudioSource | null): void {
    this.source = source;
  }

  setHoldSource(source: AudioSource | null): void {
    this.holdSource = source;
  }

  addSink(sink: AudioSink): () => void {
    this.sinks = [...this.sinks, sink];
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }

  bridgePort(): BridgePort {
    return {
      name: `rtp:${this.sockets.rtpPort}`,
      attached: (): void => {
        this.bridged = true;
      },
      getFrame: (frame: Int16Array): boolean => {
        // What this call's peer said this tick (pulled in the receive phase).
        frame.set(this.rxFrame);
        return this.rxActive;
      },
      putFrame: (frame: Int16Array): void => {
        this.bridgeIn.set(frame);
      },
      detached: (): void => {
        this.bridged = false;
      },
    };
  }

  sendDtmf(digits: string): boolean {
    this.derive();
    if (!this.audio?.telephoneEvent) return false;
    this.dtmfOut.enqueue(digits);
    return true;
  }

  // --- the tick ----------------------------------------------------------------------------

  receivePhase(tick: number): void {
    if (this.lifecycle !== 'started') return;
    this.currentTick = tick;
    this.derive();
    const now = this.clock.now();
    if (this.dir.receive) {
      this.rxActive = this.jitterBuffer.get(this.rxFrame) !== 'silence';
    } else {
      this.rxFrame.fill(0);
      this.rxActive = false;
    }
    const sinks = this.sinks;
    for (const s of sinks) s.write(this.rxFrame);
    this.dtmfIn.poll(now);
    if (this.rtpFlowing && now - this.lastRtpAt > this.options.rtpTimeoutMs) {
      this.rtpFlowing = false;
      this.events.emit('rtpStopped', { silentForMs: now - this.lastRtpAt, bye: false });
    }
  }

  sendPhase(tick: number): void {
    if (this.lifecycle !== 'started') return;
    const now = this.clock.now();
    if (this.rtcp.due(now)) this.sendRtcp(false);
    if (!this.shouldSend()) {
      this.sender.idle(tick);
      return;
    }
    const a = this.audio as NegotiatedAudio;
    const address = this.remoteAddress as string;
    const te = a.telephoneEvent;
    // RFC 4733 events replace the audio of the ticks they cover.
    if (
      te &&
      this.dtmfOut.active &&
      this.sender.sendEvent(tick, te.sendPayloadType, this.dtmfOut, address, this.remoteRtpPort)
    ) {
      return;
    }
    let frame: Int16Array;
    if (this.dir.localHold) {
      (this.holdSource as AudioSource).read(this.txFrame);
      frame = this.txFrame;
    } else if (this.bridged) {
      frame = this.bridgeIn;
    } else {
      if (this.source) this.source.read(this.txFrame);
      else this.txFrame.fill(0);
      frame = this.txFrame;
    }
    this.sender.sendAudio(tick, a.sendPayloadType, a.codec, frame, address, this.remoteRtpPort);
  }

  private sendRtcp(bye: boolean): void {
    this.derive();
    if (!this.remoteAddress || this.remoteRtcpPort === 0) return;
    const packet = this.rtcp.build(this.sender, this.receiver, this.sender.timestampFor(this.currentTick), bye);
    try {
      this.sockets.rtcp.send(packet, this.remoteRtcpPort, this.remoteAddress);
      publishPacket(
        'rtcp',
        'tx',
        { address: this.sockets.address, port: this.sockets.rtcpPort },
        { address: this.remoteAddress, port: this.remoteRtcpPort },
        packet,
        this.clock.wallTime(),
      );
    } catch (err) {
      this.log.debug('rtcp send failed', { error: errorMessage(err) });
    }
    if (this.events.has('stats')) this.events.emit('stats', this.stats());
  }

  // --- the wire ----------------------------------------------------------------------------

  private onRtp(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.lifecycle === 'stopped') return;
    if (rtpObserved()) {
      publishPacket(
        'rtp',
        'rx',
        { address: this.sockets.address, port: this.sockets.rtpPort },
        { address: rinfo.address, port: rinfo.port },
        msg,
        this.clock.wallTime(),
      );
    }
    this.derive();
    if (!this.audio || !this.dir.receive || this.lifecycle !== 'started') {
      this.discarded++;
      return;
    }
    const now = this.clock.now();
    const outcome = this.receiver.onPacket(msg, msg.length, now);
    if (outcome === 'invalid' || outcome === 'other-source') return;
    if (
      this.options.latch &&
      !this.latched &&
      (rinfo.address !== this.remoteAddress || rinfo.port !== this.remoteRtpPort)
    ) {
      this.log.info('latching RTP to its source address', { address: rinfo.address, port: rinfo.port });
      this.remoteAddress = rinfo.address;
      this.remoteRtpPort = rinfo.port;
      this.remoteRtcpPort = rinfo.port + 1;
      this.latched = true;
    }
    this.lastRtpAt = now;
    if (!this.rtpFlowing) {
      this.rtpFlowing = true;
      this.events.emit('rtpStarted', {
        remoteAddress: rinfo.address,
        remotePort: rinfo.port,
        ssrc: this.receiver.remoteSsrc ?? 0,
      });
    }
  }

  private onRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.lifecycle === 'stopped') return;
    publishPacket(
      'rtcp',
      'rx',
      { address: this.sockets.address, port: this.sockets.rtcpPort },
      { address: rinfo.address, port: rinfo.port },
      msg,
      this.clock.wallTime(),
    );
    const r = this.rtcp.handle(msg, msg.length, this.sender.ssrc, this.receiver.remoteSsrc);
    if (r.bye && this.rtpFlowing) {
      this.rtpFlowing = false;
      this.events.emit('rtpStopped', { silentForMs: this.clock.now() - this.lastRtpAt, bye: true });
    }
    if (r.report && this.events.has('stats')) this.events.emit('stats', this.stats());
  }

  // --- observation -------------------------------------------------------------------------

  stats(): MediaStats {
    const d = this.direction;
    const rs = this.receiver.stats;
    const reading = this.toneDetector?.reading;
    return {
      state: this.lifecycle,
      codec: this.audio?.codec ?? null,
      ssrc: this.sender.ssrc,
      remoteSsrc: this.receiver.remoteSsrc,
      packetsSent: this.sender.packetsSent,
      bytesSent: this.sender.bytesSent,
      packetsReceived: this.receiver.packetsReceived,
      bytesReceived: this.receiver.bytesReceived,
      discarded: this.discarded,
      expected: rs.expected,
      lost: rs.cumulativeLost,
      fractionLost: this.rtcp.lastFractionLost,
      jitterMs: rs.jitter / 8,
      lastRtcp: this.rtcp.remoteReport,
      rtcpSent: this.rtcp.sent,
      rtcpReceived: this.rtcp.received,
      dtmfSent: this.dtmfOut.sent,
      dtmfReceived: this.dtmfIn.received,
      detectedToneHz: reading?.frequencyHz ?? null,
      levelDbfs: reading?.levelDbfs ?? Number.NEGATIVE_INFINITY,
      jitterBuffer: this.jitterBuffer.stats(),
      sending: this.sending,
      receiving: this.receiving,
      localHold: d.localHold,
      remoteHold: d.remoteHold,
    };
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void {
    return this.events.on(event, listener);
  }
  once<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void {
    return this.events.once(event, listener);
  }
  off<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): void {
    this.events.off(event, listener);
  }
}
