/**
 * The Switchboard side of bench/transactions, run in a process of its own (forked by run.ts with
 * an IPC channel, so that SIPp and it compete for the two cores as two processes would in a
 * deployment): an auto-answering UAS on UDP 127.0.0.1, answering questions about itself over IPC
 * (statistics, CPU time, memory after a forced garbage collection) until told to stop.
 *
 *   node --import tsx --expose-gc bench/transactions/uas-server.ts [--impl ua|lean]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AutoAnswerUas, LeanAutoAnswerUas } from '../../src/roles/autoanswer/index.js';
import { RealClock } from '../../src/util/clock.js';
import type { ServerReply, ServerRequest, ServerSample } from './protocol.js';

const { values } = parseArgs({ options: { impl: { type: 'string' } } });
const impl = values.impl === 'lean' ? 'lean' : 'ua';
const listen = [{ transport: 'udp' as const, host: '127.0.0.1', port: 0 }];
const clock = new RealClock();
const uas =
  impl === 'lean'
    ? new LeanAutoAnswerUas({ listen, clock, transport: { receiveBufferSize: 8 * 1024 * 1024 } })
    : new AutoAnswerUas({ listen, clock, transport: { receiveBufferSize: 8 * 1024 * 1024 } });

// How late the event loop runs: a response later than T1 (500 ms) makes SIPp retransmit.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function send(reply: ServerReply): void {
  process.send?.(reply);
}

function sample(collect: boolean, resetLoopDelay: boolean): ServerSample {
  if (collect) {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc');
    // Several passes: weak references and finalizers free more on the second one.
    gc();
    gc();
  }
  const s = uas.stats();
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  const loop = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  if (resetLoopDelay) loopDelay.reset();
  return {
    invites: s.invites,
    answered: s.answered,
    confirmed: s.confirmed,
    activeCalls: s.activeCalls,
    dialogs: s.dialogs,
    serverTransactions: s.transactions.serverTransactions,
    awaitingAck: s.transactions.awaitingAck,
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    loopDelayP99Ms: loop.p99,
    loopDelayMaxMs: loop.max,
  };
}

process.on('message', (raw: unknown) => {
  const req = raw as ServerRequest;
  switch (req.kind) {
    case 'sample':
      send({ kind: 'sample', id: req.id, sample: sample(req.gc, req.resetLoopDelay ?? false) });
      return;
    case 'stop':
      uas.stop().then(() => {
        send({ kind: 'stopped', id: req.id });
        process.disconnect();
      });
      return;
  }
});

await uas.start();
send({ kind: 'ready', port: uas.endpoint('udp').port, impl, pid: process.pid });
