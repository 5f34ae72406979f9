/**
 * What the seed flows through a proxy add to the scenario harness (harness.ts, wire.ts,
 * ladder.ts): Switchboard servers started in this process (startServer, real UDP on an ephemeral
 * port of 127.0.0.1) and named on the wire, phones set up as subscribers of the server's domain
 * (outbound proxy, REGISTER at start-up, digest password), a silent UDP port that plays the
 * primary proxy that never answers and notes when each datagram arrived, and ladders of one call.
 *
 * A ladder of one call: where two dialogs share a pair of parties (the proxy and the transferee
 * carry both the call being transferred and the new call), their messages interleave as the two
 * dialogs progress independently; `expectCallLadder` checks the seed's step table for the
 * messages of the given Call-IDs only, and the test asserts separately the cross-dialog orders
 * that are causal (the new INVITE after the 202 to the REFER, the NOTIFY after the new call's 200).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { Phone, type PhoneEvent, type PhoneOptions } from '../../src/roles/phone/index.js';
import { type RunningServer, type StartServerOptions, startServer } from '../../src/roles/server/index.js';
import { parseMessage } from '../../src/sip/index.js';
import { RealClock, type TimerHandle, VirtualClock } from '../../src/util/index.js';
import { type PartyOptions, type Scenario, TONES, waitFor } from './harness.js';
import { expectLadder, type LadderOptions } from './ladder.js';
import { type WireMessage, WireRecorder } from './wire.js';

/** The SIP domain the servers of these flows serve. */
export const DOMAIN = 'example.com';

const clock = new RealClock();

/** Servers of one test, stopped together (in the reverse order of starting: stores shared last). */
export class Servers {
  private readonly running: RunningServer[] = [];

  /** Starts a server on 127.0.0.1 (any port) for DOMAIN and names it `name` on the scenario's wire. */
  async start(s: Scenario, name: string, options: StartServerOptions = {}): Promise<RunningServer> {
    const server = await startServer({ listen: ['udp:127.0.0.1:0'], domains: [DOMAIN], ...options });
    this.running.push(server);
    s.wire.name(name, '127.0.0.1', server.uri.port as number);
    return server;
  }

  async stop(): Promise<void> {
    for (const server of this.running.splice(0).reverse()) await server.stop();
  }
}

/**
 * A phone of the server's domain: AOR sip:<user>@DOMAIN, requests outside dialogs to `proxies`
 * (the server first), REGISTER for its AOR at start-up (sent to the outbound proxy), and a digest
 * password when the server wants one.
 */
export function subscriber(proxies: readonly (RunningServer | string)[], extra: PartyOptions = {}): PartyOptions {
  return {
    domain: DOMAIN,
    proxies: proxies.map((p) => (typeof p === 'string' ? p : p.uri.toString())),
    registrar: `sip:${DOMAIN}`,
    ...extra,
  };
}

/** Waits until the phone `name` reports its registration done. */
export async function registered(s: Scenario, name: string, timeoutMs = 15_000): Promise<void> {
  await s.event(name, 'registration', (e) => e.state === 'registered', timeoutMs);
}

/**
 * Asserts that the phone `name` registered with the server `server` (its wire name) through a
 * digest challenge: REGISTER without credentials, 401, REGISTER with Authorization for the
 * phone's user and the domain's realm, 200. A REGISTER the phone retransmitted before the 401
 * arrived (a loaded machine) gets a 401 of its own, with a new nonce: the registrar's challenges
 * are stateless (RFC 3261 26.3.2.4), so more than one 401 may precede the second REGISTER.
 */
export function expectDigestRegistration(wire: WireRecorder, name: string, server: string, user: string): void {
  const reg = wire.messages().filter((m) => m.method === 'REGISTER' && (m.from === name || m.to === name));
  const dump = reg.map((m) => `  ${m.index}: ${m.label}`).join('\n');
  const requests = reg.filter((m) => m.label === `${name}->${server} REGISTER`);
  assert.equal(requests.length, 2, `${name}: REGISTER, then REGISTER with credentials:\n${dump}`);
  const [first, second] = requests as [WireMessage, WireMessage];
  assert.equal(header(first.text, 'Authorization'), undefined);
  assert.equal(second.message.callId, first.message.callId);
  assert.equal(second.message.cseq.seq, first.message.cseq.seq + 1);
  assert.match(header(second.text, 'Authorization') ?? '', new RegExp(`^Digest username="${user}", realm="${DOMAIN}"`));
  const answers = reg.filter((m) => m.from === server);
  const challenges = answers.filter((m) => m.index < second.index);
  assert.ok(challenges.length >= 1, `${name}: a 401 before the second REGISTER:\n${dump}`);
  for (const c of challenges) assert.equal(c.status, 401, `${name}: only 401 before the credentials:\n${dump}`);
  assert.deepEqual(
    answers.filter((m) => m.index > second.index).map((m) => m.status),
    [200],
    `${name}: 200 to the REGISTER with credentials:\n${dump}`,
  );
}

/**
 * Adds a phone started with options of its own (a clock) to a scenario, as Scenario.add does:
 * user = the name in lower case, 127.0.0.1 on any port, the name's tone, named on the wire.
 */
export async function addPhone(
  s: Scenario,
  name: string,
  options: PartyOptions,
  phoneOptions: PhoneOptions,
): Promise<Phone> {
  const phone = await Phone.start(
    {
      user: name.toLowerCase(),
      host: '127.0.0.1',
      port: 0,
      audio: { source: { tone: TONES[name] ?? 600, level: -10 } },
      ...options,
    },
    phoneOptions,
  );
  s.phones[name] = phone;
  const log: PhoneEvent[] = [];
  s.events[name] = log;
  phone.events.on('event', (e) => log.push(e));
  const contact = new URL(phone.contactUri.replace(/^sip:/, 'sip://'));
  s.wire.name(name, contact.hostname, Number(contact.port));
  return phone;
}

/**
 * A clock that follows real time (now() is the real time elapsed since it was made, brought up
 * to date every couple of milliseconds) but fires its timers in the order of their due times,
 * each seeing its own deadline as now(): a timer set again from its own callback (Timer A
 * doubling) counts from when it was due, not from when a loaded event loop got round to it. On a
 * shared machine the real clock's lateness adds up over the six Timer A firings of the backup
 * flow and can pass Timer B (64*T1, set once, T1 after the seventh try): the phone would then
 * count six tries, which no phone with exact timers does. now() never runs ahead of real time
 * (it may lag by a pump), so a timer never fires before its due time on this clock's time line:
 * an arrival time taken with RealClock, brought onto it with fromReal(), is at least the due time.
 */
export class PacedClock extends VirtualClock {
  private readonly real = new RealClock();
  private readonly origin = this.real.now();
  private pump: TimerHandle | undefined;
  private running = true;

  constructor(private readonly stepMs = 2) {
    super(0, Date.now());
    this.tick();
  }

  private tick(): void {
    this.advanceTo(this.real.now() - this.origin);
    if (this.running) this.pump = this.real.setTimer(this.stepMs, () => this.tick());
  }

  /** A RealClock.now() reading (an arrival time) on this clock's time line. */
  fromReal(realNow: number): number {
    return realNow - this.origin;
  }

  /** Stops following real time (after the phone using it has stopped). */
  stop(): void {
    this.running = false;
    this.pump?.cancel();
  }
}

/**
 * A read-only view of a recorder that sees only the messages of some calls (by Call-ID), and
 * counts as a retransmission the ACK a UAC sends again for a retransmitted 2xx (RFC 3261
 * 13.2.2.4: "The ACK MUST be passed to the client transport every time a retransmission of the
 * 2xx final response that triggered the ACK arrives"): the same ACK, except that this stack
 * stamps a new Via branch on each sending, so the recorder does not see identical bytes. On a
 * loaded machine the callee's 2xx goes out again before the ACK arrives, and the ACK follows it.
 * Only such ACKs are folded: after the first ACK on a path, one more for each retransmission of
 * the 2xx (to the INVITE of the same CSeq) that reached the ACK's sender before it.
 */
class CallView extends WireRecorder {
  constructor(
    private readonly source: WireRecorder,
    private readonly callIds: ReadonlySet<string>,
  ) {
    super();
    this.stop(); // a view: it records nothing itself
  }

  override messages(options: { retransmissions?: boolean } = {}): WireMessage[] {
    const all = this.source.messages({ retransmissions: true }).filter((m) => this.callIds.has(m.message.callId));
    const out: WireMessage[] = [];
    for (const m of all) {
      const again = m.retransmission || isAckAgain(m, all);
      if (again && !options.retransmissions) continue;
      out.push(again === m.retransmission ? m : { ...m, retransmission: true });
    }
    return out;
  }
}

function isAckAgain(m: WireMessage, all: readonly WireMessage[]): boolean {
  if (m.method !== 'ACK' || m.status !== undefined) return false;
  const seq = m.message.cseq.seq;
  const earlier = all.filter((x) => x.index < m.index && x.message.cseq.seq === seq);
  const acks = earlier.filter((x) => x.label === m.label && !x.retransmission).length;
  if (acks === 0) return false;
  // One ACK per arrival of the 2xx: the first one, then one per retransmission of it.
  const again = earlier.filter(
    (x) =>
      x.retransmission &&
      x.to === m.from &&
      x.method === 'INVITE' &&
      x.status !== undefined &&
      x.status >= 200 &&
      x.status < 300,
  ).length;
  return acks <= again;
}

/** The wire restricted to the messages of these Call-IDs. */
export function callWire(wire: WireRecorder, ...callIds: string[]): WireRecorder {
  return new CallView(wire, new Set(callIds));
}

export interface CallLadderOptions extends LadderOptions {
  /** How long to wait for the last step to be on the wire (default 10 s). */
  readonly waitMs?: number;
}

/**
 * expectLadder (per pair of parties, in order, explicit extras) on the messages of one call, once
 * the last step is on the wire (a response relayed by the proxy may still be on its way when the
 * phones already report the call over).
 */
export async function expectCallLadder(
  wire: WireRecorder,
  callId: string,
  steps: readonly string[],
  options: CallLadderOptions = {},
): Promise<void> {
  const view = callWire(wire, callId);
  const last = steps.at(-1);
  if (last !== undefined) {
    const label = last.trim();
    await waitFor(
      `"${label}" in call ${callId}`,
      () => view.messages().some((m) => m.label === label || m.label.startsWith(`${label} `)),
      options.waitMs ?? 10_000,
    ).catch(() => undefined); // expectLadder says what is missing, with the ladder
  }
  expectLadder(view, steps, options);
}

/** The n-th (from 0) message with this label ("A->P INVITE"), optionally of one call; fails if absent. */
export function nth(wire: WireRecorder, label: string, n = 0, callId?: string): WireMessage {
  const found = wire
    .messages()
    .filter((m) => m.label === label && (callId === undefined || m.message.callId === callId))[n];
  if (!found) assert.fail(`no message #${n + 1} "${label}"${callId ? ` in call ${callId}` : ''}:\n${wire.ladder()}`);
  return found;
}

/** Asserts that the message `first` went on the wire before `then` (the seed's order across dialogs). */
export function before(first: WireMessage, then: WireMessage, why: string): void {
  assert.ok(first.index < then.index, `${why}: ${first.label} (#${first.index}) before ${then.label} (#${then.index})`);
}

/** The Request-URI of a recorded request. */
export function requestUri(m: WireMessage): string {
  if ('status' in m.message) assert.fail(`${m.label} is not a request`);
  return m.message.uri.toString();
}

/** The value of the first header `name` in a message's text, or undefined. */
export function header(text: string | undefined, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i').exec(text ?? '');
  return m?.[1];
}

/** The body of a message's text (after the blank line). */
export function body(text: string): string {
  const at = text.indexOf('\r\n\r\n');
  return at < 0 ? '' : text.slice(at + 4);
}

export function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `<sip:host:port;lr>` a server puts in Record-Route, as a pattern. */
export function recordRouteOf(server: RunningServer): RegExp {
  return new RegExp(`<sip:127\\.0\\.0\\.1:${server.uri.port};lr>`);
}

export interface SilentDatagram {
  readonly method: string;
  readonly branch: string;
  readonly callId: string;
  readonly cseq: number;
  /** RealClock.now() at arrival, ms. */
  readonly at: number;
}

/**
 * A UDP port on 127.0.0.1 that never answers (a primary proxy that is down without the phone
 * knowing: no ICMP, no response) and notes each request it is sent, with its arrival time.
 */
export class SilentProxy {
  readonly received: SilentDatagram[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg) => {
      const at = clock.now();
      const r = parseMessage(msg);
      if (!r.ok || 'status' in r.message) return;
      this.received.push({
        method: r.message.method,
        branch: r.message.topVia.branch ?? '',
        callId: r.message.callId,
        cseq: r.message.cseq.seq,
        at,
      });
    });
  }

  static start(): Promise<SilentProxy> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(new SilentProxy(socket)));
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
