/**
 * A Switchboard UAC (UserAgent.call) against SIPp as the UAS (test/fixtures/sipp/uas.xml: 100,
 * 180, 200 retransmitted until the ACK, then our BYE and its 200), over UDP, TCP and TLS, and over
 * UDP with SIPp dropping 10% of the messages it sends and receives (-lost 10). Every call must be
 * established, hung up by our BYE and answered with 200, and SIPp must count every call a success.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SignallingMedia } from '../../src/roles/autoanswer/index.js';
import { TransactionLayer } from '../../src/transaction/index.js';
import { type ListenSpec, TransportManager } from '../../src/transport/index.js';
import { type CallEnd, UserAgent } from '../../src/ua/index.js';
import { RealClock } from '../../src/util/clock.js';
import { repoRoot } from '../helpers/paths.js';
import {
  describeRun,
  freePort,
  makeSippCertificate,
  type SippResult,
  type SippTransport,
  sippTlsMode,
  startSipp,
} from '../helpers/sipp.js';
import { type TlsRelay, tlsToTcp } from '../helpers/sipp-tls-relay.js';

const UAS_SCENARIO = join(repoRoot, 'test', 'fixtures', 'sipp', 'uas.xml');

interface Caller {
  readonly ua: UserAgent;
  stop(): Promise<void>;
}

async function caller(listen: ListenSpec): Promise<Caller> {
  const clock = new RealClock();
  const transport = new TransportManager({ listen: [listen], clock });
  await transport.start();
  const transactions = new TransactionLayer({ transport, clock });
  const ua = new UserAgent({
    transactions,
    identity: 'sip:switchboard@127.0.0.1',
    clock,
    createMedia: () => new SignallingMedia(),
  });
  return {
    ua,
    stop: async () => {
      ua.close();
      await transport.stop();
    },
  };
}

/** Places `calls` calls one after another's answer, `parallel` at a time; each hangs up once established. */
async function placeCalls(ua: UserAgent, target: string, calls: number, parallel: number): Promise<CallEnd[]> {
  const ends: CallEnd[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      const call = await ua.call(target);
      const result = await call.waitEstablished();
      if (result.ok) call.hangup();
      ends.push(await call.waitEnded());
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ends;
}

function assertCompleted(ends: readonly CallEnd[], calls: number, r: SippResult): void {
  const why = describeRun(r);
  assert.equal(ends.length, calls);
  for (const end of ends) {
    assert.deepEqual(
      { reason: end.reason, by: end.by, status: end.status },
      { reason: 'bye', by: 'local', status: 200 },
      `a call did not end with our BYE answered 200: ${JSON.stringify(end)}\n${why}`,
    );
  }
  assert.equal(r.exitCode, 0, `SIPp reported failed calls:\n${why}`);
  assert.equal(r.successful, calls, why);
  assert.equal(r.failed, 0, why);
}

async function runAgainstSipp(
  transport: SippTransport,
  options: { calls: number; lost?: number; parallel?: number; pauseMs: number },
): Promise<{ ends: CallEnd[]; result: SippResult; relay: TlsRelay | undefined }> {
  const pem = transport === 'tls' ? makeSippCertificate() : undefined;
  const viaRelay = transport === 'tls' && sippTlsMode() === 'relay';
  const sippPort = await freePort();
  const relay = viaRelay && pem ? await tlsToTcp({ port: sippPort }, pem) : undefined;
  const port = relay ? relay.port : sippPort;
  let me: Caller | undefined;
  const sipp = await startSipp({
    scenario: { file: UAS_SCENARIO },
    transport: viaRelay ? 'tcp' : transport,
    port: sippPort,
    // SIPp's Contact sends our ACK and BYE where the INVITE went: through the relay for TLS.
    keys: { contact_port: port, contact_transport: transport },
    calls: options.calls,
    ...(options.lost !== undefined ? { lost: options.lost } : {}),
    // The scenario's closing <pause/>: how long SIPp answers retransmitted BYEs after its 200.
    durationMs: options.pauseMs,
    timeoutS: 50,
    ...(pem ? { tls: pem } : {}),
  });
  try {
    await sipp.ready;
    me = await caller(
      transport === 'tls' && pem
        ? { transport: 'tls', host: '127.0.0.1', port: 0, tls: { cert: pem.cert, key: pem.key, ca: pem.cert } }
        : { transport, host: '127.0.0.1', port: 0 },
    );
    const target = `sip:service@127.0.0.1:${port}${transport === 'udp' ? '' : `;transport=${transport}`}`;
    const ends = await placeCalls(me.ua, target, options.calls, options.parallel ?? 1);
    const result = await sipp.result;
    return { ends, result, relay };
  } finally {
    sipp.kill();
    await me?.stop();
    await relay?.close();
  }
}

describe('Switchboard UAC -> SIPp UAS', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`completes every call over ${transport.toUpperCase()}`, async () => {
      const calls = 8;
      const { ends, result } = await runAgainstSipp(transport, { calls, parallel: 2, pauseMs: 1000 });
      assertCompleted(ends, calls, result);
    });
  }

  it(`completes every call over TLS (${sippTlsMode() === 'native' ? 'SIPp -t l1' : 'through a TLS relay to SIPp over TCP: this sipp has no TLS'})`, async () => {
    const calls = 8;
    const { ends, result, relay } = await runAgainstSipp('tls', { calls, parallel: 2, pauseMs: 1000 });
    assertCompleted(ends, calls, result);
    if (relay) assert.ok(relay.accepted >= 1, 'the calls went through the TLS relay');
  });

  it('completes every call with SIPp dropping 10% of messages', async () => {
    const calls = 20;
    // SIPp answers retransmitted BYEs for 16 s after its 200; our BYE goes out at 0, 0.5, 1.5,
    // 3.5, 7.5, 11.5 and 15.5 s (T1 doubling to T2): a call fails only if seven BYE/200 exchanges
    // in a row lose a message (0.19^7, about 1e-5 per call).
    const { ends, result } = await runAgainstSipp('udp', { calls, lost: 10, parallel: 5, pauseMs: 16_000 });
    assertCompleted(ends, calls, result);
    const lost = result.messages.reduce((n, m) => n + m.lost, 0);
    assert.ok(lost > 0, `SIPp dropped messages:\n${describeRun(result)}`);
  });
});
