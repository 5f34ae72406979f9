/**
 * Helpers for loopback media tests: condition waits (generous timeouts, never fixed sleeps for
 * assertions), offer/answer between two sessions, and a UDP relay that can drop or bunch packets.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { MediaSession } from '../../src/media/index.js';
import { RealClock } from '../../src/util/index.js';

const clock = new RealClock();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** Polls `cond` every 20 ms until it holds; fails with `what` after timeoutMs (default 6 s). */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 6000): Promise<void> {
  const start = clock.now();
  while (!cond()) {
    if (clock.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits until a counter stops moving (stable for `quietMs`), and returns its value. */
export async function settle(read: () => number, quietMs = 300, timeoutMs = 6000): Promise<number> {
  const start = clock.now();
  let value = read();
  let since = clock.now();
  while (clock.now() - since < quietMs) {
    if (clock.now() - start > timeoutMs) assert.fail('counter never settled');
    await sleep(20);
    const v = read();
    if (v !== value) {
      value = v;
      since = clock.now();
    }
  }
  return value;
}

/** offerer.createOffer() -> answerer.receiveOffer() -> offerer.receiveAnswer(); returns the SDPs. */
export function negotiate(
  offerer: MediaSession,
  answerer: MediaSession,
  offer: string = offerer.createOffer(),
  rewriteAnswer: (sdp: string) => string = (s) => s,
): { offer: string; answer: string } {
  const r = answerer.receiveOffer(offer);
  assert.ok(r.ok, r.ok ? '' : `${r.status} ${r.reason} ${r.warning?.text ?? ''}`);
  const answer = rewriteAnswer(r.answer);
  const a = offerer.receiveAnswer(answer);
  assert.ok(a.ok, a.ok ? '' : a.detail);
  return { offer, answer: r.answer };
}

export function near(actual: number | null, expected: number, tolerance: number): boolean {
  return actual !== null && Math.abs(actual - expected) <= tolerance;
}

/**
 * A one-way UDP relay on 127.0.0.1 for an RTP/RTCP pair: forwards to `target` (RTP port, RTCP
 * port + 1). `dropRtp(n)` decides for the n-th RTP packet (0-based) whether to drop it;
 * `pairUp` holds every even-numbered RTP packet until the next one arrives (20 ms of jitter).
 */
export class UdpRelay {
  dropped = 0;
  forwarded = 0;
  private rtpCount = 0;
  private held: Buffer | null = null;
  private constructor(
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    private readonly target: { address: string; port: number },
    private readonly options: { dropRtp?: (n: number) => boolean; pairUp?: boolean },
  ) {
    rtp.on('message', (msg) => this.onRtp(msg));
    rtcp.on('message', (msg) => rtcp.send(msg, target.port + 1, target.address));
  }

  get port(): number {
    return this.rtp.address().port;
  }

  static async open(
    target: { address: string; port: number },
    options: { dropRtp?: (n: number) => boolean; pairUp?: boolean },
  ): Promise<UdpRelay> {
    for (;;) {
      const rtp = await bind(0);
      const port = rtp.address().port;
      if (port % 2 === 0) {
        try {
          const rtcp = await bind(port + 1);
          return new UdpRelay(rtp, rtcp, target, options);
        } catch {
          // fall through and try another pair
        }
      }
      rtp.close();
    }
  }

  private onRtp(msg: Buffer): void {
    const n = this.rtpCount++;
    if (this.options.dropRtp?.(n)) {
      this.dropped++;
      return;
    }
    if (this.options.pairUp) {
      if (!this.held) {
        this.held = msg;
        return;
      }
      this.send(this.held);
      this.held = null;
    }
    this.send(msg);
  }

  private send(msg: Buffer): void {
    this.forwarded++;
    this.rtp.send(msg, this.target.port, this.target.address);
  }

  close(): void {
    this.rtp.close();
    this.rtcp.close();
  }
}

function bind(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}
