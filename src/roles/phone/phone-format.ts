/**
 * How the phone's events and command outcomes are printed: one human-readable status line each
 * (call id, state, remote party first, in the manner of baresip and linphonec), or one JSON object
 * per line for programs (`--json`): events as they are, command outcomes as
 * `{"event":"result","command":...,"ok":...}`.
 */

import type { CommandOutcome } from './phone-commands.js';
import type { Hearing } from './phone-device.js';
import type { CallSnapshot, PhoneEvent } from './phone-events.js';

function hearingText(h: Hearing): string {
  if (h.silent) return 'silence';
  if (h.tones.length === 0) return `sound without a tone (${h.levelDbfs.toFixed(1)} dBFS)`;
  return `${h.tones.map((t) => `${t} Hz`).join(' + ')} (${h.levelDbfs.toFixed(1)} dBFS)`;
}

function callLine(c: CallSnapshot): string {
  const flags = [
    c.current ? 'current' : '',
    c.held && c.state !== 'held' ? 'held' : '',
    c.remoteHeld ? 'held by remote' : '',
    c.conference ? 'conference' : '',
  ].filter((f) => f.length > 0);
  return `call ${c.call}  ${c.direction === 'outgoing' ? '->' : '<-'} ${c.remote}  ${c.state}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}  sending ${c.sending}`;
}

export function formatEventText(e: PhoneEvent): string {
  switch (e.event) {
    case 'started':
      return `phone ${e.aor} ready, listening on ${e.address}:${e.port} (contact ${e.contact})`;
    case 'stopped':
      return 'phone stopped';
    case 'registration': {
      const extra =
        e.state === 'registered'
          ? ` for ${e.expires} s`
          : e.state === 'failed'
            ? `: ${e.status ?? ''} ${e.reason ?? ''}`.trimEnd()
            : '';
      return `registration ${e.state} at ${e.registrar}${extra}`;
    }
    case 'incoming': {
      const via = e.referredBy
        ? `, referred by ${e.referredBy}`
        : e.requestedBy
          ? `, requested by ${e.requestedBy}`
          : '';
      return `call ${e.call}: incoming from ${e.remote}${e.waiting ? ' (call waiting)' : ''}${e.replaces ? ' (replaces a call)' : ''}${via}`;
    }
    case 'dialing':
      return `call ${e.call}: dialing ${e.target} (${e.route}${e.template ? `, template ${e.template}` : ''})`;
    case 'progress':
      return `call ${e.call}: ${e.status} ${e.reason} from ${e.remote}`;
    case 'established':
      return `call ${e.call}: established with ${e.remote}`;
    case 'held':
      return `call ${e.call}: on hold (${e.remote})`;
    case 'resumed':
      return `call ${e.call}: resumed (${e.remote})`;
    case 'remote-hold':
      return `call ${e.call}: ${e.remote} put us on hold`;
    case 'remote-resume':
      return `call ${e.call}: ${e.remote} took us off hold`;
    case 'ended':
      return `call ${e.call}: ended (${e.reason}, by ${e.by}${e.status !== null ? `, ${e.status}${e.text ? ` ${e.text}` : ''}` : ''})${e.also ? ` with Also: ${e.also.join(', ')}` : ''}`;
    case 'transfer':
      return `call ${e.call}: transfer ${e.phase} (${e.role}${e.method ? `, ${e.method}` : ''}) to ${e.target}${e.status !== undefined ? ` [${e.status}]` : ''}${e.otherCall ? ` call ${e.otherCall}` : ''}`;
    case 'conference':
      return `conference ${e.state}: calls ${e.calls.join(', ')}`;
    case 'media':
      return `media: ${e.call === null ? 'idle' : `call ${e.call}`} sending ${e.sending}, hearing ${hearingText(e.receiving)}`;
    case 'rtp':
      return `call ${e.call}: RTP ${e.rtp}`;
    case 'dtmf':
      return `call ${e.call}: DTMF ${e.digit}`;
    case 'check-sync':
      return `check-sync received (${e.reboot ? 'restart' : 'reload'})`;
    case 'message':
      return `message from ${e.from}: ${e.text}`;
    case 'warning':
      return `warning: ${e.message}`;
  }
}

export function formatOutcomeText(o: CommandOutcome): string {
  if ('calls' in o) return o.calls.length === 0 ? 'no calls' : o.calls.map(callLine).join('\n');
  if ('hearing' in o) return `hearing ${hearingText(o.hearing)}`;
  if ('help' in o) return o.help;
  if (o.command === 'quit') return 'bye';
  const r = o.result;
  if (!r.ok) return `error: ${o.command}: ${r.error}${r.status !== undefined ? ` [${r.status}]` : ''}`;
  const what = r.call ? `call ${r.call.call} ${r.call.state} (${r.call.remote})` : '';
  return `ok: ${o.command}${what ? ` ${what}` : ''}${r.detail ? ` - ${r.detail}` : ''}`;
}

export function formatOutcomeJson(o: CommandOutcome): string {
  const r = o.result;
  const base: Record<string, unknown> = { event: 'result', command: o.command, ok: r.ok };
  if (!r.ok) {
    base['code'] = r.code;
    base['error'] = r.error;
    if (r.status !== undefined) base['status'] = r.status;
  } else {
    if ('call' in r && r.call) Object.assign(base, r.call, { event: 'result', command: o.command, ok: true });
    if ('detail' in r && r.detail) base['detail'] = r.detail;
  }
  if ('calls' in o) base['calls'] = o.calls;
  if ('hearing' in o) base['hearing'] = o.hearing;
  if ('help' in o) base['help'] = o.help;
  return JSON.stringify(base);
}
