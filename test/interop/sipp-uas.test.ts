/**
 * SIPp as the UAC, a Switchboard auto-answering UAS (src/roles/autoanswer) as the far end, over
 * UDP, TCP and TLS, and over UDP with SIPp dropping 10% of the messages it sends and receives
 * (-lost 10). Each call is the whole ladder: INVITE, 100, 180, 200 (SDP answer), ACK, BYE, 200.
 * SIPp's exit code says every call succeeded; the UAS says each INVITE reached its UA core
 * exactly once (retransmissions absorbed by the INVITE server transactions) and that no call or
 * dialog is left behind.
 */
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type AutoAnswerOptions, AutoAnswerUas, LeanAutoAnswerUas } from '../../src/roles/autoanswer/index.js';
import type { IncomingRequest } from '../../src/sip/index.js';
import { CHANNEL_RX, type TransportRxEvent } from '../../src/transport/index.js';
import { repoRoot } from '../helpers/paths.js';
import { describeRun, makeSippCertificate, runSipp, type SippResult, sippTlsMode, waitFor } from '../helpers/sipp.js';
import { tcpToTls } from '../helpers/sipp-tls-relay.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'sipp', name);

/** Counts the INVITE requests (retransmissions included) that reached a port, per Call-ID. */
function watchInvites(port: number): { perCallId: Map<string, number>; stop(): void } {
  const perCallId = new Map<string, number>();
  const listener = (message: unknown): void => {
    const event = message as TransportRxEvent;
    const m = event.message;
    if (event.flow.localPort !== port || m === undefined || m.kind !== 'request') return;
    const req = m as IncomingRequest;
    if (req.method === 'INVITE') perCallId.set(req.callId, (perCallId.get(req.callId) ?? 0) + 1);
  };
  diagnosticsChannel.subscribe(CHANNEL_RX, listener);
  return { perCallId, stop: () => diagnosticsChannel.unsubscribe(CHANNEL_RX, listener) };
}

/** Both implementations of the role: on the UA core, and lean (transactions + dialogs only). */
const IMPLEMENTATIONS = {
  'UA core': (o: AutoAnswerOptions) => new AutoAnswerUas(o),
  lean: (o: AutoAnswerOptions) => new LeanAutoAnswerUas(o),
} as const;
type Uas = AutoAnswerUas | LeanAutoAnswerUas;

async function drained(uas: Uas): Promise<void> {
  await waitFor(() => uas.stats().activeCalls === 0 && uas.stats().dialogs === 0, 'every call and dialog to end');
}

function assertAllSucceeded(r: SippResult, calls: number): void {
  const why = describeRun(r);
  assert.equal(r.exitCode, 0, `SIPp reported failed calls:\n${why}`);
  assert.equal(r.successful, calls, why);
  assert.equal(r.failed, 0, why);
}

for (const [impl, create] of Object.entries(IMPLEMENTATIONS))
  describe(`SIPp UAC -> Switchboard UAS (${impl})`, () => {
    for (const transport of ['udp', 'tcp'] as const) {
      it(`answers every call over ${transport.toUpperCase()} with 100, 180 and 200`, async () => {
        const calls = 10;
        const uas = create({ listen: [{ transport, host: '127.0.0.1', port: 0 }], countPerCallId: true });
        await uas.start();
        try {
          const r = await runSipp({
            scenario: { file: fixture('uac.xml') },
            remote: `127.0.0.1:${uas.endpoint(transport).port}`,
            transport,
            calls,
            rate: 20,
            timeoutS: 30,
          });
          assertAllSucceeded(r, calls);
          const byName = (n: string) => r.messages.filter((m) => m.name === n);
          assert.deepEqual(
            byName('100').map((m) => m.received),
            [calls],
            describeRun(r),
          );
          assert.deepEqual(
            byName('180').map((m) => m.received),
            [calls],
          );
          await drained(uas);
          const s = uas.stats();
          assert.equal(s.invites, calls);
          assert.equal(s.distinctCallIds, calls);
          assert.equal(s.repeatedCallIds, 0);
          assert.equal(s.answered, calls);
          assert.equal(s.confirmed, calls, 'every 2xx was acknowledged');
          assert.equal(s.endedByRemoteBye, calls);
        } finally {
          await uas.stop();
        }
      });
    }

    it(`answers every call over TLS (${sippTlsMode() === 'native' ? 'SIPp -t l1' : 'SIPp over TCP through a TLS relay: this sipp has no TLS'})`, async () => {
      const calls = 10;
      const pem = makeSippCertificate();
      const uas = create({
        listen: [{ transport: 'tls', host: '127.0.0.1', port: 0, tls: { cert: pem.cert, key: pem.key } }],
        countPerCallId: true,
      });
      await uas.start();
      const port = uas.endpoint('tls').port;
      const relay = sippTlsMode() === 'relay' ? await tcpToTls({ port, ca: pem.cert }) : undefined;
      try {
        const r = await runSipp({
          scenario: { file: fixture('uac.xml') },
          remote: `127.0.0.1:${relay ? relay.port : port}`,
          transport: relay ? 'tcp' : 'tls',
          tls: pem,
          calls,
          rate: 20,
          timeoutS: 30,
        });
        assertAllSucceeded(r, calls);
        if (relay) assert.ok(relay.accepted >= 1, 'SIPp reached the UAS through the TLS relay');
        await drained(uas);
        const s = uas.stats();
        assert.equal(s.invites, calls);
        assert.equal(s.repeatedCallIds, 0);
        assert.equal(s.confirmed, calls);
        assert.equal(s.endedByRemoteBye, calls);
      } finally {
        await relay?.close();
        await uas.stop();
      }
    });

    it('hangs up after hangupAfterMs: SIPp receives and answers a BYE in each dialog', async () => {
      const calls = 5;
      const uas = create({
        listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
        hangupAfterMs: 150,
        answerMs: 50,
      });
      await uas.start();
      try {
        const r = await runSipp({
          scenario: { file: fixture('uac-callee-hangs-up.xml') },
          remote: `127.0.0.1:${uas.endpoint('udp').port}`,
          transport: 'udp',
          calls,
          rate: 20,
          timeoutS: 30,
        });
        assertAllSucceeded(r, calls);
        assert.equal(r.messages.find((m) => m.name === 'BYE')?.received, calls, describeRun(r));
        await drained(uas);
        assert.equal(uas.stats().ended.bye, calls);
        assert.equal(uas.stats().endedByRemoteBye, 0);
      } finally {
        await uas.stop();
      }
    });

    it('completes every call with SIPp dropping 10% of messages, each INVITE reaching the UA core once', async () => {
      const calls = 30;
      // ringMs > T1 (500 ms): when SIPp loses our 100 Trying (always, by the scenario's lost="100",
      // on top of -lost 10 everywhere) it retransmits the INVITE before the 180 goes out, so the
      // INVITE server transactions must absorb retransmissions on every call.
      const uas = create({
        listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
        countPerCallId: true,
        ringMs: 700,
      });
      await uas.start();
      const port = uas.endpoint('udp').port;
      const seen = watchInvites(port);
      try {
        const r = await runSipp({
          scenario: { file: fixture('uac-lossy.xml') },
          remote: `127.0.0.1:${port}`,
          transport: 'udp',
          calls,
          rate: 10,
          limit: calls,
          lost: 10,
          timeoutS: 50,
        });
        assertAllSucceeded(r, calls);
        const lost = r.messages.reduce((n, m) => n + m.lost, 0);
        assert.ok(lost > calls, `SIPp dropped messages (${lost}):\n${describeRun(r)}`);
        await drained(uas);
        const s = uas.stats();
        assert.equal(s.distinctCallIds, calls, 'one INVITE transaction per call reached the UA core');
        assert.equal(s.invites, calls);
        assert.deepEqual(uas.repeatedInvites(), []);
        // The wire saw retransmitted INVITEs (SIPp's, after the lost 100s), the UA core did not.
        const onWire = [...seen.perCallId.values()].reduce((a, b) => a + b, 0);
        assert.equal(seen.perCallId.size, calls);
        assert.ok(onWire > calls, `retransmitted INVITEs reached the UAS (${onWire} INVITEs for ${calls} calls)`);
        assert.equal(s.endedByRemoteBye, calls);
      } finally {
        seen.stop();
        await uas.stop();
      }
    });
  });
