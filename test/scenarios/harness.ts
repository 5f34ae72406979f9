/**
 * The scenario harness: starts separate phones in this process (real UDP on 127.0.0.1, ephemeral
 * ports, each phone's microphone a tone of its own), records the wire (wire.ts) naming each party
 * by its address:port, and checks what each phone hears with its speaker's tone detector (over
 * several analysis windows, never once, never with a fixed sleep): `await s.hears({ A: [1000],
 * B: [440], C: [] })` means A hears B's 1000 Hz only, B hears A's 440 Hz only, C hears silence.
 * Other parties (a proxy, a registrar, a gateway) can be named with `s.wire.name()` and appear in
 * the ladders the same way.
 */
import assert from 'node:assert/strict';
import { Phone, type PhoneConfigInput, type PhoneEvent } from '../../src/roles/phone/index.js';
import { RealClock } from '../../src/util/index.js';
import { WireRecorder } from './wire.js';

const clock = new RealClock();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** Polls `cond` every 25 ms until it holds; fails naming `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = clock.now();
  while (!cond()) {
    if (clock.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The tone each party's microphone plays (none a harmonic of another). */
export const TONES: Readonly<Record<string, number>> = { A: 440, B: 1000, C: 1700, D: 2300 };

const TOLERANCE_HZ = 20;
/** Consecutive analysis windows that must agree before a hearing check passes. */
const WINDOWS = 3;

export type PartyOptions = Partial<PhoneConfigInput>;

export class Scenario {
  readonly wire = new WireRecorder();
  readonly phones: Record<string, Phone> = {};
  readonly events: Record<string, PhoneEvent[]> = {};

  /** Starts one phone per name (user = the name in lower case, tone from TONES). */
  static async start(parties: Readonly<Record<string, PartyOptions>>): Promise<Scenario> {
    const s = new Scenario();
    try {
      for (const [name, options] of Object.entries(parties)) await s.add(name, options);
    } catch (err) {
      await s.stop();
      throw err;
    }
    return s;
  }

  async add(name: string, options: PartyOptions = {}): Promise<Phone> {
    const phone = await Phone.start({
      user: name.toLowerCase(),
      host: '127.0.0.1',
      port: 0,
      audio: { source: { tone: TONES[name] ?? 600, level: -10 } },
      ...options,
    });
    this.phones[name] = phone;
    const log: PhoneEvent[] = [];
    this.events[name] = log;
    phone.events.on('event', (e) => log.push(e));
    const contact = new URL(phone.contactUri.replace(/^sip:/, 'sip://'));
    this.wire.name(name, contact.hostname, Number(contact.port));
    return phone;
  }

  phone(name: string): Phone {
    const p = this.phones[name];
    if (!p) throw new Error(`no party ${name}`);
    return p;
  }

  /** The URI other phones dial to reach `name`. */
  uri(name: string): string {
    return this.phone(name).uri;
  }

  /** Waits until every named phone hears exactly the given tones ([] = silence) for several windows. */
  async hears(expect: Readonly<Record<string, readonly number[]>>, timeoutMs = 12_000): Promise<void> {
    await Promise.all(Object.entries(expect).map(([name, tones]) => this.hearsOne(name, tones, timeoutMs)));
  }

  private async hearsOne(name: string, tones: readonly number[], timeoutMs: number): Promise<void> {
    const phone = this.phone(name);
    const start = clock.now();
    let agreeing = 0;
    let lastAnalysis = -1;
    let last = phone.hearing();
    for (;;) {
      const h = phone.hearing();
      if (h.analyses !== lastAnalysis) {
        lastAnalysis = h.analyses;
        last = h;
        agreeing = heardAs(h.tones, h.silent, tones) ? agreeing + 1 : 0;
        if (agreeing >= WINDOWS) return;
      }
      if (clock.now() - start > timeoutMs) {
        const want = tones.length === 0 ? 'silence' : tones.map((t) => `${t} Hz`).join(' + ');
        const got = last.silent
          ? 'silence'
          : `${last.tones.join(' + ') || 'no tone'} (${last.levelDbfs.toFixed(1)} dBFS)`;
        assert.fail(`${name} should hear ${want}, hears ${got}`);
      }
      await sleep(30);
    }
  }

  /** Waits for an event of a phone matching `pred` (already seen ones count). */
  async event<K extends PhoneEvent['event']>(
    name: string,
    kind: K,
    pred: (e: Extract<PhoneEvent, { event: K }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<PhoneEvent, { event: K }>> {
    let found: Extract<PhoneEvent, { event: K }> | undefined;
    await waitFor(
      `${name} to report ${kind}`,
      () => {
        found = (this.events[name] ?? []).find(
          (e): e is Extract<PhoneEvent, { event: K }> =>
            e.event === kind && pred(e as Extract<PhoneEvent, { event: K }>),
        );
        return found !== undefined;
      },
      timeoutMs,
    );
    return found as Extract<PhoneEvent, { event: K }>;
  }

  /** Waits until a phone's call has the given state (by phone-local id). */
  async callState(name: string, id: string, state: string, timeoutMs = 10_000): Promise<void> {
    const phone = this.phone(name);
    await waitFor(
      `${name} call ${id} to be ${state} (is ${phone.get(id)?.state ?? 'gone'})`,
      () => (state === 'ended' ? phone.get(id) === undefined : phone.get(id)?.state === state),
      timeoutMs,
    );
  }

  /** Waits until a message with this label ("A->B ACK", "B->A 487 INVITE") has been sent `count` times. */
  async sent(label: string, count = 1, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      `${label} on the wire`,
      () => this.wire.messages().filter((m) => m.label === label).length >= count,
      timeoutMs,
    );
  }

  /** Waits until a phone has no call left. */
  async idle(name: string, timeoutMs = 10_000): Promise<void> {
    const phone = this.phone(name);
    await waitFor(`${name} to have no call`, () => phone.active().length === 0, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.phones).map((p) => p.stop()));
    this.wire.stop();
  }
}

function heardAs(heard: readonly number[], silent: boolean, want: readonly number[]): boolean {
  if (want.length === 0) return silent;
  if (heard.length !== want.length) return false;
  return want.every((w) => heard.some((h) => Math.abs(h - w) <= TOLERANCE_HZ));
}
