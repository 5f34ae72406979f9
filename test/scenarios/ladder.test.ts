/**
 * The scenario harness checks itself: a seed ladder passes only when the steps are there in
 * order with nothing but the allowed extras between them, and a repeated datagram counts as a
 * retransmission.
 */
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { CHANNEL_TX } from '../../src/transport/index.js';
import { expectLadder } from './ladder.js';
import { WireRecorder } from './wire.js';

const PORTS: Record<string, number> = { A: 5001, B: 5002 };

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

function request(method: string, cseq: number, cseqMethod = method): string {
  return [
    `${method} sip:b@127.0.0.1:5002 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5001;branch=z9hG4bK-1',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:b@127.0.0.1>',
    'Call-ID: c1',
    `CSeq: ${cseq} ${cseqMethod}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function response(status: number, reason: string, cseq: number, method: string): string {
  return [
    `SIP/2.0 ${status} ${reason}`,
    'Via: SIP/2.0/UDP 127.0.0.1:5001;branch=z9hG4bK-1',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:b@127.0.0.1>;tag=2',
    'Call-ID: c1',
    `CSeq: ${cseq} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

let wire: WireRecorder | undefined;
afterEach(() => wire?.stop());

function recorded(): WireRecorder {
  wire = new WireRecorder();
  wire.name('A', '127.0.0.1', 5001);
  wire.name('B', '127.0.0.1', 5002);
  send('A', 'B', request('INVITE', 1));
  send('B', 'A', response(100, 'Trying', 1, 'INVITE'));
  send('B', 'A', response(180, 'Ringing', 1, 'INVITE'));
  send('B', 'A', response(200, 'OK', 1, 'INVITE'));
  send('B', 'A', response(200, 'OK', 1, 'INVITE')); // retransmitted 2xx
  send('A', 'B', request('ACK', 1));
  send('A', 'B', request('BYE', 2));
  send('B', 'A', response(200, 'OK', 2, 'BYE'));
  return wire;
}

describe('scenario harness', () => {
  it('accepts the steps in order, with 100 Trying and retransmissions left out', () => {
    const w = recorded();
    expectLadder(w, ['A->B INVITE', 'B->A 180', 'B->A 200 INVITE', 'A->B ACK', 'A->B BYE', 'B->A 200 BYE']);
    assert.equal(w.messages({ retransmissions: true }).filter((m) => m.retransmission).length, 1);
  });

  it('fails on a missing step, a step out of order, a wrong method and an unexpected message', () => {
    const w = recorded();
    assert.throws(() => expectLadder(w, ['A->B INVITE', 'B->A 180', 'B->A 200', 'A->B ACK']), /unexpected A->B BYE/);
    assert.throws(
      () => expectLadder(w, ['A->B INVITE', 'B->A 180', 'B->A 200', 'A->B ACK', 'A->B BYE', 'B->A 200', 'A->B INVITE']),
      /missing "A->B INVITE"/,
    );
    assert.throws(() => expectLadder(w, ['A->B INVITE', 'B->A 200', 'B->A 180']), /unexpected B->A 180/);
    assert.throws(
      () => expectLadder(w, ['A->B INVITE', 'B->A 180', 'B->A 200 BYE', 'A->B ACK', 'A->B BYE', 'B->A 200 BYE']),
      /unexpected B->A 200 INVITE/,
    );
    assert.throws(
      () => expectLadder(w, ['A->B INVITE', 'B->A 200', 'A->B ACK', 'A->B BYE', 'B->A 200']),
      /unexpected B->A 180/,
    );
  });

  it('allows the extras it is given, and only those', () => {
    const w = recorded();
    expectLadder(w, ['A->B INVITE', 'B->A 200 INVITE', 'A->B ACK', 'A->B BYE', 'B->A 200'], {
      extras: ['B->A 180'],
    });
    assert.throws(
      () => expectLadder(w, ['A->B INVITE', 'B->A 200 INVITE', 'A->B ACK'], { extras: ['B->A 180'] }),
      /unexpected A->B BYE/,
    );
  });
});
