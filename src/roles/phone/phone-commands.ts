/**
 * The phone's text commands, one per line, in the vocabulary people know from baresip and
 * linphonec (a leading "/" as in baresip is accepted, and so are their short names):
 *
 *   dial <target>                     d, call        start a call (URI, user@host or a number)
 *   answer [id]                       a, accept      answer a ringing call
 *   reject [id] [status]              decline        refuse a ringing call (486 unless told)
 *   hangup [id|all]                   b, terminate   end a call whatever its state
 *   hold [id] / resume [id]           x, pause / X   hold and take off hold
 *   swap                                             go to the other call
 *   line <id>                         @              select a call (answer / resume it)
 *   transfer <target> [id]            t              blind transfer (REFER)
 *   transfer [id] --to-call <id2>     atransfer      attended transfer to the party of call id2
 *   conference [id ...]               conf, merge    local 3-way call
 *   dtmf <digits> [id]                sndcode        RFC 4733 digits
 *   mute | unmute                                    microphone off / on
 *   play <file.wav> | play tone <hz> | play silence  ausrc          change the microphone
 *   record <file.wav> | record off                   what the speaker plays, to WAV
 *   register / unregister
 *   calls                             l, listcalls   the calls, one line each
 *   hearing                           media          what the speaker hears now
 *   dnd on|off, callwaiting on|off, autoanswer off|<ms>
 *   help, quit                        q, exit
 *
 * Each command returns a typed outcome; the CLI prints it as a status line or a JSON object.
 */
import { resolve } from 'node:path';
import { errorMessage } from '../../util/errors.js';
import type { Phone } from './phone.js';
import type { AudioSourceSetting } from './phone-config.js';
import { describeSource } from './phone-device.js';
import type { CallSnapshot } from './phone-events.js';
import type { ActionResult } from './phone-results.js';

export type CommandOutcome =
  | { readonly command: string; readonly result: ActionResult; readonly quit?: false }
  | { readonly command: 'calls'; readonly result: ActionResult; readonly calls: readonly CallSnapshot[] }
  | { readonly command: 'hearing'; readonly result: ActionResult; readonly hearing: ReturnType<Phone['hearing']> }
  | { readonly command: 'help'; readonly result: ActionResult; readonly help: string }
  | { readonly command: 'quit'; readonly result: ActionResult; readonly quit: true };

const ALIASES: Readonly<Record<string, string>> = {
  d: 'dial',
  call: 'dial',
  a: 'answer',
  accept: 'answer',
  decline: 'reject',
  b: 'hangup',
  terminate: 'hangup',
  bye: 'hangup',
  x: 'hold',
  pause: 'hold',
  X: 'resume',
  unhold: 'resume',
  '@': 'line',
  t: 'transfer',
  conf: 'conference',
  merge: 'conference',
  sndcode: 'dtmf',
  ausrc: 'play',
  l: 'calls',
  listcalls: 'calls',
  media: 'hearing',
  q: 'quit',
  exit: 'quit',
  h: 'help',
  '?': 'help',
};

export const COMMAND_HELP = [
  'dial <target>             start a call (sip:user@host, user@host or a number)',
  'answer [id]               answer a ringing call',
  'reject [id] [status]      refuse a ringing call (486 Busy Here unless a status is given)',
  'hangup [id|all]           end a call',
  'hold [id] | resume [id]   hold / take off hold',
  'swap | line <id>          go to the other call / to call <id>',
  'transfer <target> [id]    blind transfer',
  'transfer [id] --to-call <id2>   attended transfer to the party of call <id2>',
  'conference [id ...]       local 3-way call',
  'dtmf <digits> [id]        send RFC 4733 digits',
  'mute | unmute             microphone off / on',
  'play <file.wav> | play tone <hz> | play silence   change the microphone',
  'record <file.wav> | record off                   record what the speaker plays',
  'register | unregister',
  'calls | hearing',
  'dnd on|off | callwaiting on|off | autoanswer off|<ms>',
  'quit',
].join('\n');

function bad(command: string, error: string): CommandOutcome {
  return { command, result: { ok: false, code: 'ERR_PHONE_TARGET', error } };
}

function onOff(value: string | undefined): boolean | undefined {
  if (value === 'on' || value === 'true' || value === '1') return true;
  if (value === 'off' || value === 'false' || value === '0') return false;
  return undefined;
}

/** Splits a command line into words (double quotes group words). */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null = re.exec(line);
  while (m !== null) {
    out.push(m[1] ?? m[2] ?? '');
    m = re.exec(line);
  }
  return out;
}

/** Runs one command line against the phone; undefined for an empty line or a comment. */
export async function runPhoneCommand(phone: Phone, line: string): Promise<CommandOutcome | undefined> {
  const words = splitWords(line.trim().replace(/^\//, ''));
  const first = words[0];
  if (first === undefined || first.startsWith('#')) return undefined;
  const command = ALIASES[first] ?? first.toLowerCase();
  const args = words.slice(1);
  switch (command) {
    case 'dial': {
      const target = args[0];
      if (!target) return bad(command, 'usage: dial <target>');
      const r = await phone.dial(target);
      return { command, result: r };
    }
    case 'answer':
      return { command, result: await phone.answer(args[0]) };
    case 'reject': {
      const status = args[1] !== undefined ? Number(args[1]) : undefined;
      if (status !== undefined && !Number.isInteger(status)) return bad(command, 'usage: reject [id] [status]');
      return { command, result: phone.reject(args[0], status) };
    }
    case 'hangup':
      return { command, result: phone.hangup(args[0]) };
    case 'hold':
      return { command, result: await phone.hold(args[0]) };
    case 'resume':
      return { command, result: await phone.resume(args[0]) };
    case 'swap':
      return { command, result: await phone.swap() };
    case 'line': {
      if (!args[0]) return bad(command, 'usage: line <id>');
      return { command, result: await phone.line(args[0]) };
    }
    case 'transfer':
    case 'atransfer':
      return transfer(phone, command, args);
    case 'conference':
      return { command, result: await phone.conference(args) };
    case 'dtmf': {
      if (!args[0]) return bad(command, 'usage: dtmf <digits> [id]');
      return { command, result: phone.dtmf(args[0], args[1]) };
    }
    case 'mute':
    case 'unmute': {
      const v = command === 'unmute' ? false : (onOff(args[0]) ?? true);
      return { command, result: phone.mute(v) };
    }
    case 'play': {
      const source = sourceFrom(args);
      if (!source) return bad(command, 'usage: play <file.wav> | play tone <hz> | play silence');
      try {
        await phone.reconfigure({ ...phone.config, audio: { ...phone.config.audio, source } });
      } catch (err) {
        return { command, result: { ok: false, code: 'ERR_PHONE_TARGET', error: errorMessage(err) } };
      }
      return { command, result: { ok: true, detail: `microphone: ${describeSource(source)}` } };
    }
    case 'record': {
      const file = args[0];
      if (!file) return bad(command, 'usage: record <file.wav> | record off');
      const record = file === 'off' ? undefined : resolve(file);
      await phone.reconfigure({ ...phone.config, audio: { ...phone.config.audio, record } });
      return { command, result: { ok: true, detail: record ? `recording to ${record}` : 'recording off' } };
    }
    case 'register':
      return { command, result: await phone.register() };
    case 'unregister':
      return { command, result: await phone.unregister() };
    case 'calls':
      return { command, result: { ok: true }, calls: phone.list() };
    case 'hearing':
      return { command, result: { ok: true }, hearing: phone.hearing() };
    case 'dnd':
    case 'callwaiting': {
      const v = onOff(args[0]);
      if (v === undefined) return bad(command, `usage: ${command} on|off`);
      await phone.reconfigure(command === 'dnd' ? { ...phone.config, dnd: v } : { ...phone.config, callWaiting: v });
      return { command, result: { ok: true, detail: `${command} ${v ? 'on' : 'off'}` } };
    }
    case 'autoanswer': {
      const v = args[0];
      const ms = v === 'off' ? null : v === 'on' ? 0 : Number(v);
      if (ms !== null && (!Number.isInteger(ms) || ms < 0)) return bad(command, 'usage: autoanswer off|on|<ms>');
      await phone.reconfigure({ ...phone.config, autoAnswerMs: ms });
      return { command, result: { ok: true, detail: ms === null ? 'auto-answer off' : `auto-answer after ${ms} ms` } };
    }
    case 'help':
      return { command, result: { ok: true }, help: COMMAND_HELP };
    case 'quit':
      return { command, result: { ok: true }, quit: true };
    default: {
      // baresip: digits typed during a call are sent as DTMF.
      if (/^[0-9*#]+$/.test(first) && phone.active().some((c) => c.established))
        return { command: 'dtmf', result: phone.dtmf(first) };
      return bad(first, `unknown command "${first}" (try help)`);
    }
  }
}

function sourceFrom(args: readonly string[]): AudioSourceSetting | undefined {
  const [kind, value] = args;
  if (kind === 'silence') return { kind: 'silence' };
  if (kind === 'tone') {
    const hz = Number(value);
    return Number.isFinite(hz) && hz >= 20 && hz <= 3900 ? { kind: 'tone', frequency: hz, level: -10 } : undefined;
  }
  // baresip's "/ausrc aufile,<file>" form too.
  const file = kind?.replace(/^aufile,/, '');
  return file ? { kind: 'wav', path: resolve(file), loop: true } : undefined;
}

async function transfer(phone: Phone, command: string, args: readonly string[]): Promise<CommandOutcome> {
  const toCall = args.indexOf('--to-call');
  if (toCall >= 0 || command === 'atransfer') {
    // linphonec: transfer <id1> --to-call <id2>; atransfer [id] [consult-id].
    const consult = toCall >= 0 ? args[toCall + 1] : args[1];
    const ref = toCall >= 0 ? (toCall > 0 ? args[0] : undefined) : args[0];
    if (toCall >= 0 && consult === undefined) return bad('transfer', 'usage: transfer [id] --to-call <id2>');
    return { command: 'transfer', result: await phone.transferAttended(ref, consult) };
  }
  const target = args[0];
  if (!target) return bad('transfer', 'usage: transfer <target> [id] | transfer [id] --to-call <id2>');
  return { command: 'transfer', result: await phone.transfer(target, args[1]) };
}
