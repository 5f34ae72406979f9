/**
 * The phone's settings: a zod schema for what a config file (YAML or JSON) or the command line
 * gives, defaults in the style of the Cisco/Snom/Yealink phones the seeds describe, and one-line
 * errors naming the field (`phone: proxies[1]: not a SIP URI`) so that a bad setting stops
 * start-up with a message a person can act on.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseUri, SipUri } from '../../sip/index.js';
import { ConfigError } from '../../util/errors.js';
import { DialPlan, type DialTemplate } from './dial-plan.js';

function isSipUri(text: string): boolean {
  try {
    return parseUri(text) instanceof SipUri;
  } catch {
    return false;
  }
}

const sipUri = z.string().refine(isSipUri, { message: 'not a SIP URI' });
const port = z.number().int().min(0).max(65535);

const templateSchema = z
  .object({
    match: z.string().min(1),
    timeout: z.number().min(0).default(0),
    route: z.enum(['default', 'emergency']).default('default'),
    user: z.enum(['phone', 'ip']).optional(),
    rewrite: z.string().optional(),
  })
  .strict();

const sourceSchema = z.union([
  z.literal('silence'),
  z.object({ tone: z.number().min(20).max(3900), level: z.number().max(0).default(-10) }).strict(),
  z.object({ wav: z.string().min(1), loop: z.boolean().default(true) }).strict(),
]);

export const phoneConfigSchema = z
  .object({
    /** User part of our address of record (and the digest username unless authUser is set). */
    user: z.string().regex(/^[A-Za-z0-9._~!$&'()*+,;=%-]+$/, 'not a valid SIP user name'),
    displayName: z.string().optional(),
    /** Host of our AOR; default: our own address and port (peer-to-peer). */
    domain: z.string().min(1).optional(),
    password: z.string().optional(),
    authUser: z.string().optional(),
    /** SIP listening address and port (0 = any free port). */
    host: z.string().default('127.0.0.1'),
    port: port.default(5060),
    transport: z.enum(['udp', 'tcp']).default('udp'),
    /** Primary proxy first, then backups (tried when the one before gives no answer). */
    proxies: z.array(sipUri).default([]),
    emergencyProxy: sipUri.optional(),
    registrar: sipUri.optional(),
    registerExpires: z.number().int().min(0).default(3600),
    /** Calls the phone holds at once (line appearances). */
    lines: z.number().int().min(1).max(16).default(4),
    callWaiting: z.boolean().default(true),
    dnd: z.boolean().default(false),
    /** Status sent while in do-not-disturb. */
    dndStatus: z.union([z.literal(486), z.literal(480), z.literal(603)]).default(486),
    /** false, true (at once) or a delay in milliseconds. */
    autoAnswer: z.union([z.boolean(), z.number().int().min(0)]).default(false),
    /** Outgoing calls not answered within this are cancelled (0 = never). */
    ringTimeoutMs: z.number().int().min(0).default(60_000),
    /** How we hold: a=sendonly (RFC 3264) or c=0.0.0.0 (RFC 2543, the Cisco seeds). */
    holdStyle: z.enum(['rfc3264', 'rfc2543']).default('rfc3264'),
    /** 'legacy' answers REFER with 501 Not Implemented (the transferor then falls back to BYE/Also). */
    transferStyle: z.enum(['refer', 'legacy']).default('refer'),
    /** As transferor, a 501/405 to REFER makes us hang up with BYE + Also (the Cisco fallback). */
    byeAlsoFallback: z.boolean().default(true),
    /** Hold the call before transferring it (what the Cisco phones of the seeds do). */
    holdBeforeTransfer: z.boolean().default(true),
    /**
     * As blind transferor, hang up only when the final NOTIFY reports the new call up (what baresip
     * and linphonec do as transferors); false: BYE right after the 202, as the Cisco phones of the
     * seeds (B-6). baresip 1.0.0 as transferee ends its REFER subscription with "500 Connection
     * reset by peer" when the BYE comes first, although it does call the target.
     */
    byeAfterNotify: z.boolean().default(false),
    /** As transferee, send NOTIFY "100 Trying" right after 202 (RFC 3515); Cisco sends only the final one. */
    notifyTrying: z.boolean().default(false),
    codecs: z
      .array(z.enum(['PCMU', 'PCMA']))
      .min(1)
      .default(['PCMU', 'PCMA']),
    audio: z
      .object({
        source: sourceSchema.default({ tone: 440, level: -10 }),
        /** Write what the speaker plays (received audio) to this WAV file at hang-up / quit. */
        record: z.string().optional(),
      })
      .strict()
      .default({ source: { tone: 440, level: -10 } }),
    rtp: z
      .object({ address: z.string().default('127.0.0.1'), portMin: port.optional(), portMax: port.optional() })
      .strict()
      .refine((r) => (r.portMin === undefined) === (r.portMax === undefined), {
        message: 'portMin and portMax go together',
      })
      .refine((r) => r.portMin === undefined || r.portMax === undefined || r.portMin < r.portMax, {
        message: 'portMin must be below portMax',
      })
      .default({ address: '127.0.0.1' }),
    /** Cisco dialplan.xml text, a path to it, or the templates as a list. */
    dialPlan: z.union([z.string(), z.array(templateSchema)]).optional(),
    /** RFC 3261 timers in ms (tests shorten T1 so that timeouts come quickly). */
    timers: z
      .object({
        t1: z.number().int().min(1).default(500),
        t2: z.number().int().min(1).default(4000),
        t4: z.number().int().min(1).default(5000),
      })
      .strict()
      .default({ t1: 500, t2: 4000, t4: 5000 }),
    userAgent: z.string().default('Switchboard-Phone/0.1'),
  })
  .strict();

export type PhoneConfigInput = z.input<typeof phoneConfigSchema>;
type Parsed = z.output<typeof phoneConfigSchema>;

export type AudioSourceSetting =
  | { readonly kind: 'silence' }
  | { readonly kind: 'tone'; readonly frequency: number; readonly level: number }
  | { readonly kind: 'wav'; readonly path: string; readonly loop: boolean };

/** The settings after validation and defaults. */
export interface PhoneConfig extends Omit<Parsed, 'dialPlan' | 'autoAnswer' | 'audio'> {
  readonly dialPlan: readonly DialTemplate[];
  /** Auto-answer delay in ms, or null when off. */
  readonly autoAnswerMs: number | null;
  readonly audio: { readonly source: AudioSourceSetting; readonly record: string | undefined };
}

/** Dotted path with [n] for indices: `proxies[1]`, `audio.source`. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out.length === 0 ? String(p) : `.${String(p)}`;
  }
  return out.length > 0 ? out : '(config)';
}

/**
 * The issue to report: for a union (a dial plan given as a list or as text, an audio source),
 * the branch that got furthest, so that the message names the field inside it.
 */
function deepest(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys')
    return { path: issue.path, message: `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: { path: PropertyKey[]; message: string } | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (!first) continue;
      const d = deepest(first);
      if (!best || d.path.length > best.path.length) best = d;
    }
    if (best && best.path.length > 0) return { path: [...issue.path, ...best.path], message: best.message };
    return { path: issue.path, message: 'not one of the accepted forms' };
  }
  return { path: issue.path, message: issue.message };
}

/**
 * Validates settings (from a file, flags, or code) and fills in defaults. `baseDir` resolves
 * relative file names (WAV files, a dial plan file) against the config file's directory.
 * Throws ConfigError naming the first bad field.
 */
export function parsePhoneConfig(input: unknown, options: { baseDir?: string } = {}): PhoneConfig {
  const r = phoneConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = deepest(r.error.issues[0] as z.core.$ZodIssue);
    throw new ConfigError(fieldName(issue.path), issue.message);
  }
  const c = r.data;
  const base = options.baseDir ?? process.cwd();
  const file = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const { dialPlan, autoAnswer, audio, ...rest } = c;
  const src = audio.source;
  const source: AudioSourceSetting =
    src === 'silence'
      ? { kind: 'silence' }
      : 'tone' in src
        ? { kind: 'tone', frequency: src.tone, level: src.level }
        : { kind: 'wav', path: file(src.wav), loop: src.loop };
  return {
    ...rest,
    dialPlan: dialPlanFrom(dialPlan, file),
    autoAnswerMs: autoAnswer === false ? null : autoAnswer === true ? 0 : autoAnswer,
    audio: { source, record: audio.record === undefined ? undefined : file(audio.record) },
  };
}

function dialPlanFrom(
  value: string | readonly z.output<typeof templateSchema>[] | undefined,
  file: (p: string) => string,
): DialTemplate[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') return value.map((t) => ({ ...t }));
  if (value.trimStart().startsWith('<')) return [...DialPlan.fromXml(value).templates];
  let text: string;
  try {
    text = readFileSync(file(value), 'utf8');
  } catch (err) {
    throw new ConfigError('dialPlan', `cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (text.trimStart().startsWith('<')) return [...DialPlan.fromXml(text).templates];
  const list = z.array(templateSchema).safeParse(parseYaml(text));
  if (!list.success) {
    const issue = deepest(list.error.issues[0] as z.core.$ZodIssue);
    throw new ConfigError(`dialPlan${fieldName(issue.path).replace(/^\(config\)$/, '')}`, issue.message);
  }
  return list.data.map((t) => ({ ...t }));
}

/** Reads a YAML or JSON config file and validates it (relative paths resolve against its directory). */
export function loadPhoneConfigFile(path: string, overrides: Record<string, unknown> = {}): PhoneConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError('config', `${path} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError('config', `${path} must hold a mapping of settings`);
  return parsePhoneConfig({ ...(data as Record<string, unknown>), ...overrides }, { baseDir: dirname(resolve(path)) });
}
