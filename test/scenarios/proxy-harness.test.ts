/**
 * The proxy flows' additions to the scenario harness check themselves: a ladder of one call sees
 * only that call's messages (another call interleaved on the same pair neither helps nor hurts)
 * and still fails on a missing, reordered or unexpected message of its own; the digest
 * registration check accepts the challenge of a retransmitted REGISTER and nothing else; the
 * paced clock keeps timers in due order when the event loop is late; the silent proxy notes
 * every request and answers none.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { CHANNEL_TX } from '../../src/transport/index.js';
import { RealClock } from '../../src/util/index.js';
import { waitFor } from './harness.js';
import { expectLadder } from './ladder.js';
import { callWire, expectCallLadder, expectDigestRegistration, PacedClock, SilentProxy } from './proxy-harness.js';
import { WireRecorder } from './wire.js';

const PORTS: Record<string, number> = { A: 5101, P: 5102 };

function send(from: string, to: string, text: string): void {
  const flow = {
    transport: 'udp',
    localAddress: '127.0.0.1',
    localPort: PORTS[from],
    remoteAddress: '127.0.0.1',
    remotePort: PORTS[to],
    connectionId: undefined,
  };
  diagnosticsChannel.channel(CHANNEL_TX).publish({ flow, bytes: Buffer.from(text), wallTime: 0 });
}

interface Msg {
  readonly callId: string;
  readonly cseq: number;
  readonly method: string;
  readonly status?: number;
  readonly branch?: string;
  readonly extra?: readonly string[];
}

function text(m: Msg): string {
  const start = m.status === undefined ? `${m.method} sip:p@example.com SIP/2.0` : `SIP/2.0 ${m.status} Whatever`;
  return [
    start,
    `Via: SIP/2.0/UDP 127.0.0.1:5101;branch=z9hG4bK-${m.branch ?? `${m.callId}-${m.cseq}`}`,
    'From: <sip:a@example.com>;tag=1',
    `To: <sip:p@example.com>${m.status === undefined ? '' : ';tag=2'}`,
    `Call-ID: ${m.callId}`,
    `CSeq: ${m.cseq} ${m.method}`,
    'Max-Forwards: 70',
    ...(m.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

let wire: WireRecorder | undefined;
afterEach(() => wire?.stop());

function recorder(): WireRecorder {
  wire = new WireRecorder();
  wire.name('A', '127.0.0.1', PORTS['A'] as number);
  wire.name('P', '127.0.0.1', PORTS['P'] as number);
  return wire;
}

/** Two calls on one pair, interleaved as a transferee's old and new calls are. */
function twoCalls(): WireRecorder {
  const w = recorder();
  send('A', 'P', text({ callId: 'old', cseq: 1, method: 'INVITE' }));
  send('P', 'A', text({ callId: 'old', cseq: 1, method: 'INVITE', status: 200 }));
  send('A', 'P', text({ callId: 'old', cseq: 1, method: 'ACK' }));
  send('P', 'A', text({ callId: 'old', cseq: 2, method: 'REFER' }));
  send('A', 'P', text({ callId: 'old', cseq: 2, method: 'REFER', status: 202 }));
  send('A', 'P', text({ callId: 'new', cseq: 1, method: 'INVITE' }));
  send('P', 'A', text({ callId: 'old', cseq: 3, method: 'BYE' }));
  send('A', 'P', text({ callId: 'old', cseq: 3, method: 'BYE', status: 200 }));
  send('P', 'A', text({ callId: 'new', cseq: 1, method: 'INVITE', status: 200 }));
  send('A', 'P', text({ callId: 'new', cseq: 1, method: 'ACK' }));
  return w;
}

const OLD = ['A->P INVITE', 'P->A 200', 'A->P ACK', 'P->A REFER', 'A->P 202', 'P->A BYE', 'A->P 200 BYE'];
const NEW = ['A->P INVITE', 'P->A 200 INVITE', 'A->P ACK'];

describe('proxy flows harness', () => {
  it('checks the ladder of each call on a pair that carries two', async () => {
    const w = twoCalls();
    await expectCallLadder(w, 'old', OLD, { waitMs: 0 });
    await expectCallLadder(w, 'new', NEW, { waitMs: 0 });
    assert.deepEqual(
      callWire(w, 'new')
        .messages()
        .map((m) => m.index),
      [5, 8, 9],
    );
    // The whole pair interleaves the two calls: one ladder for both cannot describe it.
    assert.throws(() => expectLadder(w, [...OLD, ...NEW]), /unexpected A->P INVITE/);
  });

  it("fails on a call's own missing, reordered or unexpected message", async () => {
    const w = twoCalls();
    await assert.rejects(expectCallLadder(w, 'old', [...OLD, 'A->P NOTIFY'], { waitMs: 0 }), /missing "A->P NOTIFY"/);
    await assert.rejects(
      expectCallLadder(w, 'old', ['A->P INVITE', 'P->A 200', 'A->P ACK', 'A->P 202', 'P->A REFER'], { waitMs: 0 }),
      /unexpected P->A REFER/,
    );
    await assert.rejects(expectCallLadder(w, 'new', ['A->P INVITE', 'A->P ACK'], { waitMs: 0 }), /unexpected P->A 200/);
    await assert.rejects(expectCallLadder(w, 'nothing', ['A->P INVITE'], { waitMs: 0 }), /missing "A->P INVITE"/);
  });

  it('counts the ACK sent again for a retransmitted 2xx as a retransmission, and no other ACK', async () => {
    const call = (again: boolean): WireRecorder => {
      const w = recorder();
      send('A', 'P', text({ callId: 'c', cseq: 1, method: 'INVITE' }));
      send('P', 'A', text({ callId: 'c', cseq: 1, method: 'INVITE', status: 200 }));
      if (again) send('P', 'A', text({ callId: 'c', cseq: 1, method: 'INVITE', status: 200 })); // same bytes
      send('A', 'P', text({ callId: 'c', cseq: 1, method: 'ACK', branch: 'ack-1' }));
      send('A', 'P', text({ callId: 'c', cseq: 1, method: 'ACK', branch: 'ack-2' })); // a new branch
      return w;
    };
    const steps = ['A->P INVITE', 'P->A 200 INVITE', 'A->P ACK'];
    let w = call(true);
    await expectCallLadder(w, 'c', steps, { waitMs: 0 });
    assert.deepEqual(
      callWire(w, 'c')
        .messages({ retransmissions: true })
        .map((m) => m.retransmission),
      [false, false, true, false, true],
    );
    w.stop();
    w = call(false);
    await assert.rejects(expectCallLadder(w, 'c', steps, { waitMs: 0 }), /unexpected A->P ACK \(message 3\)/);
  });

  it('waits for the last step of a ladder to reach the wire', async () => {
    const w = recorder();
    send('A', 'P', text({ callId: 'late', cseq: 1, method: 'BYE' }));
    const checking = expectCallLadder(w, 'late', ['A->P BYE', 'P->A 200 BYE'], { waitMs: 5000 });
    send('P', 'A', text({ callId: 'late', cseq: 1, method: 'BYE', status: 200 }));
    await checking;
  });

  it('accepts a digest registration, with a second 401 to a retransmitted REGISTER', () => {
    const reg = (cseq: number, auth: boolean): Msg => ({
      callId: 'reg',
      cseq,
      method: 'REGISTER',
      extra: auth ? ['Authorization: Digest username="a", realm="example.com", nonce="n", uri="sip:example.com"'] : [],
    });
    let w = recorder();
    send('A', 'P', text(reg(1, false)));
    send('P', 'A', text({ ...reg(1, false), status: 401 }));
    send('A', 'P', text(reg(2, true)));
    send('P', 'A', text({ ...reg(2, true), status: 200 }));
    expectDigestRegistration(w, 'A', 'P', 'a');
    w.stop();

    w = recorder();
    send('A', 'P', text(reg(1, false)));
    send('A', 'P', text(reg(1, false))); // retransmission: the same bytes
    send('P', 'A', text({ ...reg(1, false), status: 401, extra: ['X-Nonce: 1'] }));
    send('P', 'A', text({ ...reg(1, false), status: 401, extra: ['X-Nonce: 2'] }));
    send('A', 'P', text(reg(2, true)));
    send('P', 'A', text({ ...reg(2, true), status: 200 }));
    expectDigestRegistration(w, 'A', 'P', 'a');
    w.stop();

    w = recorder();
    send('A', 'P', text(reg(1, false)));
    send('P', 'A', text({ ...reg(1, false), status: 401 }));
    send('A', 'P', text(reg(2, false)));
    send('P', 'A', text({ ...reg(2, false), status: 200 }));
    assert.throws(() => expectDigestRegistration(w, 'A', 'P', 'a'), /Digest username="a"/);
    w.stop();

    w = recorder();
    send('A', 'P', text(reg(1, false)));
    send('P', 'A', text({ ...reg(1, false), status: 200 }));
    send('A', 'P', text(reg(2, true)));
    send('P', 'A', text({ ...reg(2, true), status: 200 }));
    assert.throws(() => expectDigestRegistration(w, 'A', 'P', 'a'), /only 401 before the credentials/);
    w.stop();

    w = recorder();
    send('A', 'P', text(reg(1, false)));
    send('P', 'A', text({ ...reg(1, false), status: 401 }));
    send('A', 'P', text(reg(2, true)));
    send('P', 'A', text({ ...reg(2, true), status: 403 }));
    assert.throws(() => expectDigestRegistration(w, 'A', 'P', 'a'), /200 to the REGISTER with credentials/);
  });

  it('paces a virtual clock by real time, each timer firing at its own due time however late the loop is', async () => {
    const real = new RealClock();
    const paced = new PacedClock(1);
    try {
      const start = paced.now();
      const fired: number[] = [];
      let interval = 10;
      // Timer A's pattern: set again from its own callback, doubling; "Timer B" set once at 64 units.
      const timerA = (): void => {
        fired.push(Math.round((paced.now() - start) * 1000) / 1000);
        interval *= 2;
        if (fired.length < 6) paced.setTimer(interval, timerA);
      };
      paced.setTimer(10, timerA);
      let firedBeforeB = -1;
      paced.setTimer(640, () => {
        firedBeforeB = fired.length;
      });
      const busyUntil = real.now() + 120; // an event loop that does not turn for 120 ms
      while (real.now() < busyUntil) {}
      await waitFor('the 640 ms timer', () => firedBeforeB >= 0, 5000);
      assert.deepEqual(fired, [10, 30, 70, 150, 310, 630]);
      assert.equal(firedBeforeB, 6, 'the sixth firing, due at 630, comes before the timer due at 640');
      assert.ok(paced.now() >= 640);
      assert.ok(paced.now() <= paced.fromReal(real.now()), 'never ahead of real time');
    } finally {
      paced.stop();
    }
  });

  it('has a silent proxy that notes requests and answers nothing', async () => {
    const silent = await SilentProxy.start();
    const client = createSocket('udp4');
    const answers: Buffer[] = [];
    client.on('message', (m) => answers.push(m));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    try {
      const invite = text({ callId: 'silent', cseq: 7, method: 'INVITE', branch: 'abc' });
      client.send(invite, silent.port, '127.0.0.1');
      client.send(invite, silent.port, '127.0.0.1');
      await waitFor('two datagrams at the silent proxy', () => silent.received.length === 2);
      assert.deepEqual(
        silent.received.map(({ method, branch, callId, cseq }) => ({ method, branch, callId, cseq })),
        [
          { method: 'INVITE', branch: 'z9hG4bK-abc', callId: 'silent', cseq: 7 },
          { method: 'INVITE', branch: 'z9hG4bK-abc', callId: 'silent', cseq: 7 },
        ],
      );
      assert.ok((silent.received[1]?.at ?? 0) >= (silent.received[0]?.at ?? 0));
      assert.equal(answers.length, 0);
    } finally {
      client.close();
      await silent.stop();
    }
  });
});
