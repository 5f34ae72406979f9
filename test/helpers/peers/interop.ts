/**
 * One interop test's world: Switchboard phones in this process (the scenario harness: real UDP on
 * 127.0.0.1, each microphone a tone, speakers with tone detectors), real peers (baresip,
 * linphonec) in their own directories, and a SIP trace of everything the Switchboard side sends
 * and receives, every party named. `Interop.run()` stops everything whatever happens and, when
 * the test fails, keeps the peers' directories and appends their logs and the SIP ladder to the
 * failure.
 */
import { Scenario } from '../../scenarios/harness.js';
import { recordingHolds } from './audio.js';
import { Baresip, type BaresipOptions } from './baresip.js';
import { Linphonec, type LinphonecOptions } from './linphonec.js';
import { PeerGroup, until } from './peer-process.js';
import { SipTrace } from './sip-trace.js';

export class Interop {
  readonly peers = new PeerGroup();
  readonly trace = new SipTrace();
  private scenario: Scenario | undefined;

  private constructor() {}

  /** Runs `body` with a fresh world; always cleans up; failures carry the peers' logs and the ladder. */
  static async run(body: (x: Interop) => Promise<void>): Promise<void> {
    const x = new Interop();
    try {
      await x.peers.run(async () => {
        try {
          await body(x);
        } catch (err) {
          if (err instanceof Error) err.message = `${err.message}\nSIP seen by Switchboard:\n${x.trace.ladder()}`;
          throw err;
        }
      });
    } finally {
      x.trace.stop();
    }
  }

  /** Starts Switchboard phones (scenario harness parties: A 440 Hz, B 1000, C 1700, D 2300). */
  async phones(parties: Parameters<typeof Scenario.start>[0]): Promise<Scenario> {
    if (this.scenario) {
      for (const [name, options] of Object.entries(parties)) await this.scenario.add(name, options);
    } else {
      this.scenario = await Scenario.start(parties);
      const s = this.scenario;
      this.peers.onStop(() => s.stop());
    }
    for (const name of Object.keys(parties)) {
      const contact = new URL(this.scenario.phone(name).contactUri.replace(/^sip:/, 'sip://'));
      this.trace.name(name, contact.hostname, Number(contact.port));
    }
    return this.scenario;
  }

  async baresip(options: BaresipOptions): Promise<Baresip> {
    const b = this.peers.add(await Baresip.start(options));
    this.trace.name(options.name, '127.0.0.1', b.sipPort);
    return b;
  }

  async linphonec(options: LinphonecOptions): Promise<Linphonec> {
    const l = this.peers.add(await Linphonec.start(options));
    this.trace.name(options.name, '127.0.0.1', l.sipPort);
    return l;
  }
}

/**
 * Waits until the recording holds `tones` for `seconds` in a row (the file grows while the call
 * runs), failing with what it holds instead.
 */
export async function recordingHears(
  what: string,
  file: () => string | undefined,
  tones: readonly number[],
  seconds: number,
  timeoutMs = 20_000,
): Promise<void> {
  let last = 'no recording yet';
  try {
    await until(
      `${what} to hold ${tones.join(' + ')} Hz for ${seconds} s`,
      () => {
        const f = file();
        if (f === undefined) return false;
        try {
          const r = recordingHolds(f, tones);
          last = `${r.description} (${r.totalS.toFixed(1)} s)`;
          return r.seconds >= seconds;
        } catch (err) {
          last = String(err);
          return false;
        }
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; it holds: ${last}`);
  }
}
