/**
 * `switchboard phone`: the scriptable SIP phone (src/roles/phone) as a program. Settings come
 * from a YAML/JSON file (--config) and/or flags (flags win); a bad setting stops start-up with one
 * line naming it (`phone: proxies[1]: not a SIP URI`, exit 2). Commands are read from standard
 * input, one per line, in the baresip/linphonec vocabulary (see phone-commands.ts); every event
 * and every command outcome is printed as a status line, or with --json as one JSON object per
 * line. `quit`, SIGINT or SIGTERM hang up, unregister and exit 0. A check-sync NOTIFY reloads the
 * config file (and restarts the phone when asked to reboot or when a setting needs it).
 *
 *   switchboard phone --user alice --port 5070 [--proxy sip:10.0.0.1] [--registrar sip:example.com]
 *                     [--password secret] [--auto-answer [MS]] [--tone 440 | --wav FILE | --silence]
 *                     [--record FILE] [--hold-style rfc3264|rfc2543] [--transfer-style refer|legacy]
 *                     [--json] [--config FILE]
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  formatEventText,
  formatOutcomeJson,
  formatOutcomeText,
  loadPhoneConfigFile,
  Phone,
  type PhoneConfig,
  PhoneError,
  type PhoneEvent,
  parsePhoneConfig,
  runPhoneCommand,
} from '../roles/phone/index.js';
import { ConfigError, errorMessage } from '../util/errors.js';
import { JsonLogger, type Logger, nullLogger } from '../util/logger.js';
import type { CommandIO } from './io.js';
import { signalled } from './signals.js';

const USAGE = [
  'usage: switchboard phone [--config FILE] [--user NAME] [--domain HOST] [--password P] [--auth-user NAME]',
  '         [--host ADDR] [--port N] [--transport udp|tcp] [--proxy URI ...] [--emergency-proxy URI]',
  '         [--registrar URI] [--expires S] [--auto-answer [MS]] [--dnd] [--no-call-waiting] [--lines N]',
  '         [--ring-timeout MS] [--hold-style rfc3264|rfc2543] [--transfer-style refer|legacy]',
  '         [--notify-trying] [--no-bye-also] [--codecs PCMU,PCMA] [--tone HZ | --wav FILE | --silence]',
  '         [--record FILE] [--dial-plan FILE] [--t1 MS] [--json] [--verbose]',
].join('\n');

export interface PhoneCommandOptions {
  /** Command lines (default: standard input). */
  readonly lines?: AsyncIterable<string>;
  /** Resolves when the phone should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
}

class UsageError extends Error {}

const FLAGS = {
  config: { type: 'string' },
  user: { type: 'string' },
  'display-name': { type: 'string' },
  domain: { type: 'string' },
  password: { type: 'string' },
  'auth-user': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  transport: { type: 'string' },
  proxy: { type: 'string', multiple: true },
  'emergency-proxy': { type: 'string' },
  registrar: { type: 'string' },
  expires: { type: 'string' },
  'auto-answer': { type: 'string' },
  dnd: { type: 'boolean' },
  'no-call-waiting': { type: 'boolean' },
  lines: { type: 'string' },
  'ring-timeout': { type: 'string' },
  'hold-style': { type: 'string' },
  'transfer-style': { type: 'string' },
  'notify-trying': { type: 'boolean' },
  'no-bye-also': { type: 'boolean' },
  codecs: { type: 'string' },
  tone: { type: 'string' },
  wav: { type: 'string' },
  silence: { type: 'boolean' },
  record: { type: 'string' },
  'dial-plan': { type: 'string' },
  t1: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${flag}: expected a number, not "${value}"`);
  return Number(value);
}

/** `--auto-answer` may stand alone (answer at once) or take a delay in ms. */
function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--auto-answer' && !/^\d+$/.test(argv[i + 1] ?? '')) out.push('--auto-answer=0');
    else out.push(a);
  }
  return out;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: false }>>['values'];

/** The settings the flags give, as config keys (only those given). */
function flagSettings(v: Values): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) s[key] = value;
  };
  put('user', v.user);
  put('displayName', v['display-name']);
  put('domain', v.domain);
  put('password', v.password);
  put('authUser', v['auth-user']);
  put('host', v.host);
  put('port', number('port', v.port));
  put('transport', v.transport);
  put('proxies', v.proxy);
  put('emergencyProxy', v['emergency-proxy']);
  put('registrar', v.registrar);
  put('registerExpires', number('expires', v.expires));
  const aa = number('auto-answer', v['auto-answer']);
  put('autoAnswer', aa);
  if (v.dnd) s['dnd'] = true;
  if (v['no-call-waiting']) s['callWaiting'] = false;
  put('lines', number('lines', v.lines));
  put('ringTimeoutMs', number('ring-timeout', v['ring-timeout']));
  put('holdStyle', v['hold-style']);
  put('transferStyle', v['transfer-style']);
  if (v['notify-trying']) s['notifyTrying'] = true;
  if (v['no-bye-also']) s['byeAlsoFallback'] = false;
  put(
    'codecs',
    v.codecs?.split(',').map((c) => c.trim().toUpperCase()),
  );
  const sources = [v.tone !== undefined, v.wav !== undefined, v.silence === true].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give one of --tone, --wav, --silence');
  if (sources === 1 || v.record !== undefined) {
    const source =
      v.tone !== undefined
        ? { tone: number('tone', v.tone) }
        : v.wav !== undefined
          ? { wav: v.wav }
          : v.silence
            ? 'silence'
            : undefined;
    s['audio'] = {
      ...(source !== undefined ? { source } : {}),
      ...(v.record !== undefined ? { record: v.record } : {}),
    };
  }
  put('dialPlan', v['dial-plan']);
  const t1 = number('t1', v.t1);
  if (t1 !== undefined) s['timers'] = { t1 };
  return s;
}

function loadConfig(v: Values): PhoneConfig {
  const flags = flagSettings(v);
  if (v.config !== undefined) {
    // A file's audio/timers blocks are merged with the flags' rather than replaced.
    const file = loadPhoneConfigFile(v.config);
    return loadPhoneConfigFile(v.config, {
      ...flags,
      ...(flags['audio'] ? { audio: { ...fileAudio(file), ...(flags['audio'] as object) } } : {}),
      ...(flags['timers'] ? { timers: { ...file.timers, ...(flags['timers'] as object) } } : {}),
    });
  }
  return parsePhoneConfig(flags);
}

function fileAudio(c: PhoneConfig): Record<string, unknown> {
  const src = c.audio.source;
  const source =
    src.kind === 'silence'
      ? 'silence'
      : src.kind === 'tone'
        ? { tone: src.frequency, level: src.level }
        : { wav: src.path, loop: src.loop };
  return { source, ...(c.audio.record !== undefined ? { record: c.audio.record } : {}) };
}

function stdinLines(): { lines: AsyncIterable<string>; close: () => void } {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  return {
    lines: rl,
    close: () => {
      rl.close();
      // Let the process exit although standard input is still open (a pipe nobody closes).
      process.stdin.unref?.();
    },
  };
}

export async function phoneCommand(
  argv: readonly string[],
  io: CommandIO,
  options: PhoneCommandOptions = {},
): Promise<number> {
  let values: Values;
  let config: PhoneConfig;
  try {
    values = parseArgs({ args: normaliseArgv(argv), options: FLAGS, allowPositionals: false, strict: true }).values;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (values.config === undefined && values.user === undefined)
      throw new UsageError('--user or --config is required');
    config = loadConfig(values);
  } catch (err) {
    if (err instanceof ConfigError) io.stderr(`phone: ${err.message}`);
    else io.stderr(`phone: ${errorMessage(err).split('\n')[0]}\n${USAGE}`);
    return 2;
  }
  const json = values.json === true;
  const logger: Logger = values.verbose
    ? new JsonLogger({ write: (l) => io.stderr(l.trimEnd()) }, 'debug')
    : nullLogger;
  const print = (e: PhoneEvent): void => io.stdout(json ? JSON.stringify(e) : formatEventText(e));

  let phone: Phone;
  const start = async (c: PhoneConfig): Promise<Phone> => {
    const p = await Phone.start(c, { logger, onEvent: print });
    p.events.on('check-sync', (e) => void reload(e.reboot));
    return p;
  };
  try {
    phone = await start(config);
  } catch (err) {
    io.stderr(`phone: ${err instanceof PhoneError || err instanceof ConfigError ? err.message : errorMessage(err)}`);
    return 1;
  }

  // Cisco, Snom and Yealink phones re-read their configuration on a check-sync NOTIFY, and
  // restart when it says reboot=true (or when what changed needs a restart).
  let reloading: Promise<void> = Promise.resolve();
  const reload = (reboot: boolean): Promise<void> => {
    reloading = reloading.then(async () => {
      if (values.config === undefined && !reboot) return;
      let next: PhoneConfig;
      try {
        next = values.config !== undefined ? loadConfig(values) : phone.config;
      } catch (err) {
        print({ event: 'warning', message: `check-sync: config not reloaded: ${errorMessage(err)}` });
        return;
      }
      const restart = await phone.reconfigure(next);
      if (!reboot && restart.length === 0) return;
      await phone.stop();
      phone = await start(next);
    });
    return reloading;
  };

  let quit: () => void = () => {};
  const quitRequested = new Promise<void>((resolve) => (quit = resolve));
  const stdin = options.lines ? undefined : stdinLines();
  const lines = options.lines ?? (stdin as { lines: AsyncIterable<string> }).lines;
  const reader = (async () => {
    for await (const line of lines) {
      await reloading;
      const outcome = await runPhoneCommand(phone, line).catch((err: unknown) => {
        io.stdout(
          json
            ? JSON.stringify({ event: 'result', ok: false, error: errorMessage(err) })
            : `error: ${errorMessage(err)}`,
        );
        return undefined;
      });
      if (!outcome) continue;
      io.stdout(json ? formatOutcomeJson(outcome) : formatOutcomeText(outcome));
      if (outcome.command === 'quit') {
        quit();
        return;
      }
    }
  })();
  void reader;
  await Promise.race([quitRequested, options.until ?? signalled()]);
  await reloading;
  await phone.stop();
  stdin?.close();
  return 0;
}
