/**
 * The conference bridge (architecture principle 9, after PJSIP conference.h): a switchboard of
 * ports in which each port hears the sum of the ports connected to it, never itself. With every
 * port connected to every other it is the classic N-1 conference ("mix-minus"): each participant
 * hears all the others. Sums are taken in 32 bits and clipped to 16 bits once, after summing.
 *
 * Connections are directed (src -> dst) and stored in a matrix, so that the same bridge serves
 * a phone's everyday routing as well as conferences:
 *   one-to-one call:  connect(local, call)                  (both directions)
 *   swap lines:       disconnect(local, call1); connect(local, call2)
 *   3-way call:       connect(local, call1); connect(local, call2); connect(call1, call2)
 *   listen-only:      connect(src, dst, { oneWay: true })
 *
 * The bridge runs in the mix phase of a FrameTicker, between its members' receive and send
 * phases, so what a stream received in a tick is mixed and sent in that same tick.
 */
import { SwitchboardError } from '../util/index.js';
import { type AudioSink, type AudioSource, type BridgePort, FRAME_SAMPLES } from './audio-port.js';
import type { FrameTicker, TickParticipant } from './frame-ticker.js';

export class BridgeError extends SwitchboardError {
  constructor(message: string) {
    super('ERR_MEDIA_BRIDGE', message);
  }
}

/** A slot number returned by addPort(). */
export type Slot = number;

interface Member {
  port: BridgePort;
  input: Int16Array;
  active: boolean;
  /** listensTo[src] = true when this member hears member `src`. */
  listensTo: boolean[];
}

export interface AddPortOptions {
  /** Connect the new port both ways with every current port (N-1 conference). Default false. */
  connectAll?: boolean;
}

/** A bridge port for the phone's own audio device: a microphone source and a speaker sink. */
export function localAudioPort(name: string, microphone: AudioSource | null, speaker: AudioSink | null): BridgePort {
  return {
    name,
    getFrame(frame: Int16Array): boolean {
      if (!microphone) {
        frame.fill(0);
        return false;
      }
      return microphone.read(frame);
    },
    putFrame(frame: Int16Array): void {
      speaker?.write(frame);
    },
  };
}

export class ConferenceBridge implements TickParticipant {
  private readonly members: (Member | null)[] = [];
  private readonly sum = new Int32Array(FRAME_SAMPLES);
  private readonly out = new Int16Array(FRAME_SAMPLES);
  private attached = false;
  /** Ticks mixed. */
  mixed = 0;

  constructor(
    readonly ticker: FrameTicker,
    readonly name = 'bridge',
  ) {}

  /** Adds a port; returns its slot. The bridge joins the ticker with its first port. */
  addPort(port: BridgePort, options: AddPortOptions = {}): Slot {
    let slot = this.members.indexOf(null);
    if (slot < 0) slot = this.members.length;
    const m: Member = { port, input: new Int16Array(FRAME_SAMPLES), active: false, listensTo: [] };
    this.members[slot] = m;
    port.attached?.();
    if (options.connectAll) {
      this.members.forEach((other, i) => {
        if (other && i !== slot) this.connect(slot, i);
      });
    }
    if (!this.attached) {
      this.ticker.add(this);
      this.attached = true;
    }
    return slot;
  }

  /** Removes a port (its connections go with it) and tells the port it is detached. */
  removePort(slot: Slot): void {
    const m = this.member(slot);
    this.members[slot] = null;
    for (const other of this.members) if (other) other.listensTo[slot] = false;
    m.port.detached?.();
    if (this.members.every((x) => x === null)) this.close();
  }

  /** Slots in use. */
  slots(): Slot[] {
    const out: Slot[] = [];
    this.members.forEach((m, i) => {
      if (m) out.push(i);
    });
    return out;
  }

  portOf(slot: Slot): BridgePort {
    return this.member(slot).port;
  }

  /** a hears b and b hears a (or only b hears a with oneWay: audio flows a -> b). */
  connect(a: Slot, b: Slot, options: { oneWay?: boolean } = {}): void {
    if (a === b) throw new BridgeError('a port cannot be connected to itself');
    this.member(b).listensTo[a] = true;
    if (!options.oneWay) this.member(a).listensTo[b] = true;
  }

  disconnect(a: Slot, b: Slot, options: { oneWay?: boolean } = {}): void {
    this.member(b).listensTo[a] = false;
    if (!options.oneWay) this.member(a).listensTo[b] = false;
  }

  /** True when audio flows from src to dst. */
  isConnected(src: Slot, dst: Slot): boolean {
    return this.member(dst).listensTo[src] === true;
  }

  /** Removes every port and leaves the ticker. */
  close(): void {
    this.members.forEach((m, i) => {
      if (m) {
        this.members[i] = null;
        m.port.detached?.();
      }
    });
    if (this.attached) {
      this.ticker.remove(this);
      this.attached = false;
    }
  }

  private member(slot: Slot): Member {
    const m = this.members[slot];
    if (!m) throw new BridgeError(`no port in slot ${slot}`);
    return m;
  }

  mixPhase(): void {
    const members = this.members;
    const n = members.length;
    const sum = this.sum;
    const out = this.out;
    // 1. Everyone's contribution, and the total of all active ones.
    sum.fill(0);
    for (let i = 0; i < n; i++) {
      const m = members[i];
      if (!m) continue;
      m.active = m.port.getFrame(m.input);
      if (!m.active) continue;
      const input = m.input;
      for (let s = 0; s < FRAME_SAMPLES; s++) sum[s] = (sum[s] as number) + (input[s] as number);
    }
    // 2. Each listener hears the others it is connected to: total minus itself when it listens
    //    to every active port (the N-1 fast path), else an explicit sum over its connections.
    for (let j = 0; j < n; j++) {
      const listener = members[j];
      if (!listener) continue;
      let hearsAllActive = true;
      let heard = 0;
      for (let i = 0; i < n; i++) {
        const m = members[i];
        if (!m || i === j || !m.active) continue;
        if (listener.listensTo[i]) heard++;
        else hearsAllActive = false;
      }
      if (heard === 0) {
        out.fill(0);
      } else if (hearsAllActive) {
        const own = listener.active ? listener.input : null;
        for (let s = 0; s < FRAME_SAMPLES; s++) {
          const v = (sum[s] as number) - (own ? (own[s] as number) : 0);
          out[s] = v > 32767 ? 32767 : Math.max(v, -32768);
        }
      } else {
        for (let s = 0; s < FRAME_SAMPLES; s++) {
          let v = 0;
          for (let i = 0; i < n; i++) {
            const m = members[i];
            if (m && i !== j && m.active && listener.listensTo[i]) v += m.input[s] as number;
          }
          out[s] = v > 32767 ? 32767 : Math.max(v, -32768);
        }
      }
      listener.port.putFrame(out);
    }
    this.mixed++;
  }
}
