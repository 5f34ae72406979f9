/**
 * A phone's audio routing on a ConferenceBridge: the local device (microphone source, speaker
 * sink) is one port, each call's MediaSession another. One-to-one talk, swapping lines, 3-way
 * conferencing (the seeds: "phone B mixes the two RTP channels") and releasing the conference back
 * to one-to-one are all connection changes on the same bridge, so audio never stops while the
 * routing changes. Hold itself is an SDP matter for the UA (MediaSession.hold()); this only
 * decides who hears whom.
 */
import { type AudioSink, type AudioSource, FRAME_SAMPLES } from './audio-port.js';
import { BridgeError, ConferenceBridge, localAudioPort, type Slot } from './conference-bridge.js';
import type { FrameTicker } from './frame-ticker.js';
import type { MediaSession } from './media-session.js';

export type PhoneAudioMode =
  | { kind: 'idle' }
  | { kind: 'one-to-one'; session: MediaSession }
  | { kind: 'conference'; sessions: MediaSession[] };

export interface PhoneAudioOptions {
  ticker: FrameTicker;
  microphone?: AudioSource | null;
  speaker?: AudioSink | null;
}

export class PhoneAudio {
  readonly bridge: ConferenceBridge;
  private readonly localSlot: Slot;
  private readonly slots = new Map<MediaSession, Slot>();
  private microphone: AudioSource | null;
  private speaker: AudioSink | null;
  private current: PhoneAudioMode = { kind: 'idle' };

  constructor(options: PhoneAudioOptions) {
    this.bridge = new ConferenceBridge(options.ticker, 'phone');
    this.microphone = options.microphone ?? null;
    this.speaker = options.speaker ?? null;
    const silence = new Int16Array(FRAME_SAMPLES);
    // Indirections, so that setMicrophone()/setSpeaker() take effect without re-plumbing the bridge.
    const mic: AudioSource = {
      read: (frame) => {
        if (this.microphone) return this.microphone.read(frame);
        frame.set(silence);
        return false;
      },
    };
    const spk: AudioSink = { write: (frame) => this.speaker?.write(frame) };
    this.localSlot = this.bridge.addPort(localAudioPort('local', mic, spk));
  }

  get mode(): PhoneAudioMode {
    return this.current;
  }

  setMicrophone(source: AudioSource | null): void {
    this.microphone = source;
  }

  setSpeaker(sink: AudioSink | null): void {
    this.speaker = sink;
  }

  /** Adds a call to the bridge, heard by nobody yet. */
  attach(session: MediaSession): void {
    if (this.slots.has(session)) return;
    if (session.ticker !== this.bridge.ticker) {
      throw new BridgeError('a session must run on the same FrameTicker as the phone audio bridge');
    }
    this.slots.set(session, this.bridge.addPort(session.bridgePort()));
  }

  /** Removes a call; it goes back to its own source (setSource) for what it sends. */
  detach(session: MediaSession): void {
    const slot = this.slots.get(session);
    if (slot === undefined) return;
    this.slots.delete(session);
    this.bridge.removePort(slot);
    if (this.current.kind === 'one-to-one' && this.current.session === session) this.current = { kind: 'idle' };
    if (this.current.kind === 'conference') {
      const rest = this.current.sessions.filter((s) => s !== session);
      this.current =
        rest.length === 1
          ? { kind: 'one-to-one', session: rest[0] as MediaSession }
          : { kind: 'conference', sessions: rest };
    }
  }

  private slotOf(session: MediaSession): Slot {
    const slot = this.slots.get(session);
    if (slot === undefined) throw new BridgeError('session is not attached to this phone');
    return slot;
  }

  private disconnectAll(): void {
    const all = [this.localSlot, ...this.slots.values()];
    for (const a of all) for (const b of all) if (a !== b) this.bridge.disconnect(a, b, { oneWay: true });
  }

  /** Talks to one call only (or to none): the everyday state, and how to swap lines. */
  talkTo(session: MediaSession | null): void {
    this.disconnectAll();
    if (!session) {
      this.current = { kind: 'idle' };
      return;
    }
    this.attach(session);
    this.bridge.connect(this.localSlot, this.slotOf(session));
    this.current = { kind: 'one-to-one', session };
  }

  /** Everyone hears everyone else: the local user and the given calls (N-1 mix). */
  conference(sessions: readonly MediaSession[]): void {
    for (const s of sessions) this.attach(s);
    this.disconnectAll();
    const slots = [this.localSlot, ...sessions.map((s) => this.slotOf(s))];
    for (let i = 0; i < slots.length; i++) {
      for (let j = i + 1; j < slots.length; j++) this.bridge.connect(slots[i] as Slot, slots[j] as Slot);
    }
    this.current = { kind: 'conference', sessions: [...sessions] };
  }

  /** Leaves the bridge; attached sessions go back to their own sources. */
  close(): void {
    this.slots.clear();
    this.bridge.close();
    this.current = { kind: 'idle' };
  }
}
