/**
 * `switchboard uas`: an auto-answering UAS (src/roles/autoanswer) on the sockets given, for SIPp
 * runs, load tests and checking a phone or a proxy by hand. It answers every INVITE with 100, 180
 * and 200 (SDP answer, no RTP), handles ACK and BYE, and runs until SIGINT or SIGTERM, then prints
 * what it did. Exit code 0 after a signal, 1 when it cannot listen, 2 for a bad command line.
 *
 *   switchboard uas --listen udp:127.0.0.1:5080 [--listen tcp:127.0.0.1:5080]
 *                   [--listen tls:127.0.0.1:5081 --tls-cert FILE --tls-key FILE]
 *                   [--ring-ms N] [--answer-ms N] [--hangup-ms N] [--stats-ms N] [--json]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AutoAnswerStats, AutoAnswerUas } from '../roles/autoanswer/index.js';
import type { TransportProtocol } from '../sip/index.js';
import type { ListenSpec } from '../transport/index.js';
import { RealClock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import type { CommandIO } from './io.js';
import { signalled } from './signals.js';

const USAGE =
  'usage: switchboard uas --listen udp|tcp|tls:HOST:PORT ... [--tls-cert FILE --tls-key FILE] ' +
  '[--ring-ms N] [--answer-ms N] [--hangup-ms N] [--stats-ms N] [--json]';

export interface UasCommandOptions {
  /** Resolves when the command should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
}

class UsageError extends Error {}

/** "udp:127.0.0.1:5080", "tcp:[::1]:5060", "tls:0.0.0.0:5061" -> transport, host, port. */
export function parseListen(text: string): { transport: TransportProtocol; host: string; port: number } {
  const m = /^(udp|tcp|tls):(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/i.exec(text);
  if (!m) throw new UsageError(`--listen: expected udp|tcp|tls:HOST:PORT, not "${text}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  const host = (m[2] as string).replace(/^\[|\]$/g, '');
  return { transport: (m[1] as string).toLowerCase() as TransportProtocol, host, port };
}

function milliseconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name}: expected a number of milliseconds, not "${value}"`);
  return Number(value);
}

function statsLine(s: AutoAnswerStats): string {
  const ended = Object.entries(s.ended)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return (
    `invites ${s.invites}, answered ${s.answered}, confirmed ${s.confirmed}, ended ${ended || '0'}, ` +
    `active ${s.activeCalls}, dialogs ${s.dialogs}, transactions ${s.transactions.serverTransactions}`
  );
}

export async function uasCommand(
  argv: readonly string[],
  io: CommandIO,
  options: UasCommandOptions = {},
): Promise<number> {
  let uas: AutoAnswerUas;
  let statsMs: number | undefined;
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        listen: { type: 'string', multiple: true },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'ring-ms': { type: 'string' },
        'answer-ms': { type: 'string' },
        'hangup-ms': { type: 'string' },
        'stats-ms': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const listen = (values.listen ?? []).map(parseListen);
    if (listen.length === 0) throw new UsageError('at least one --listen is needed');
    const needsTls = listen.some((l) => l.transport === 'tls');
    if (needsTls && (values['tls-cert'] === undefined || values['tls-key'] === undefined))
      throw new UsageError('a tls listener needs --tls-cert and --tls-key');
    const read = (file: string): string => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`${file}: ${errorMessage(err)}`);
      }
    };
    const tls = needsTls
      ? { cert: read(values['tls-cert'] as string), key: read(values['tls-key'] as string) }
      : undefined;
    const specs: ListenSpec[] = listen.map((l) => (l.transport === 'tls' && tls ? { ...l, tls } : l));
    statsMs = milliseconds('stats-ms', values['stats-ms']);
    json = values.json === true;
    const ringMs = milliseconds('ring-ms', values['ring-ms']);
    const answerMs = milliseconds('answer-ms', values['answer-ms']);
    const hangupAfterMs = milliseconds('hangup-ms', values['hangup-ms']);
    uas = new AutoAnswerUas({
      listen: specs,
      clock: new RealClock(),
      ...(ringMs !== undefined ? { ringMs } : {}),
      ...(answerMs !== undefined ? { answerMs } : {}),
      ...(hangupAfterMs !== undefined ? { hangupAfterMs } : {}),
    });
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  try {
    await uas.start();
  } catch (err) {
    io.stderr(`switchboard uas: ${errorMessage(err)}`);
    return 1;
  }
  for (const ep of uas.endpoints()) {
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    io.stdout(json ? JSON.stringify({ listening: ep }) : `listening ${ep.transport} ${host}:${ep.port}`);
  }
  const print = (): void => {
    const s = uas.stats();
    io.stdout(json ? JSON.stringify({ stats: s }) : statsLine(s));
  };
  const clock = new RealClock({ unref: true });
  let ticking = statsMs !== undefined && statsMs > 0;
  const tick = (): void => {
    if (!ticking) return;
    print();
    clock.setTimer(statsMs as number, tick);
  };
  if (ticking) clock.setTimer(statsMs as number, tick);
  await (options.until ?? signalled());
  ticking = false;
  print();
  await uas.stop();
  return 0;
}
