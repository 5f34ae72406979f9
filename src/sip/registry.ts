/**
 * THE header registry: one line per header with its wire name, compact form, cardinality, parser,
 * printer and defining RFC (after reSIProcate's HeaderTypes.hxx). It drives parsing, the typed
 * `get`/`set` of messages (through the mapped types below) and printing. A header that is not
 * here is kept raw, in order, and forwarded untouched.
 *
 * Cardinality:
 * - 'single': one value per message (a second line makes the message invalid, RFC 4475 multi01);
 * - 'list': comma-separated values, possibly over several lines (section 7.3.1);
 * - 'lines': one value per line, several lines allowed, no comma splitting (challenges and
 *   credentials, whose values contain commas).
 */
import { type AuthValue, parseAuthParams, parseAuthValue, printAuthParams, printAuthValue } from './auth-header.js';
import { type CSeq, parseCSeq, printCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import {
  type EventValue,
  parseEvent,
  parseReplaces,
  parseSubscriptionState,
  printEvent,
  printReplaces,
  printSubscriptionState,
  type ReplacesValue,
  type SubscriptionStateValue,
} from './event-headers.js';
import { splitList } from './grammar.js';
import { type MediaType, parseMediaType, printMediaType } from './media-type.js';
import {
  parseCallId,
  parseCodingList,
  parseContentLength,
  parseDeltaSeconds,
  parseDisposition,
  parseLanguageRangeList,
  parseLanguageTagList,
  parseMaxForwards,
  parseMimeVersion,
  parsePriority,
  parsePrivacy,
  parseRAck,
  parseReason,
  parseRetryAfter,
  parseSessionExpires,
  parseSipDate,
  parseText,
  parseTextList,
  parseTimestamp,
  parseTokenList,
  parseWarning,
  printNumber,
  printPrivacy,
  printRAck,
  printReason,
  printRetryAfter,
  printSessionExpires,
  printSipDate,
  printText,
  printTimestamp,
  printWarning,
  type RAckValue,
  type ReasonValue,
  type RetryAfterValue,
  type SessionExpiresValue,
  type TimestampValue,
  type WarningValue,
} from './misc-headers.js';
import { type NameAddr, parseContact, parseFromTo, parseNameAddr, printNameAddr } from './name-addr.js';
import type { Params } from './params.js';
import { parseVia, printVia, type Via } from './via.js';

export type Cardinality = 'single' | 'list' | 'lines';

export interface HeaderSpec<T, C extends Cardinality> {
  /** Canonical wire name, e.g. "Call-ID". */
  readonly name: string;
  /** Compact form (section 7.3.3), lower case, e.g. "i". */
  readonly compact: string | undefined;
  readonly cardinality: C;
  /** Parses one line's value into its values (one for 'single'/'lines', any number for 'list'). */
  readonly parseLine: (value: string) => readonly T[];
  /** Prints one value. */
  readonly print: (value: T) => string;
  readonly rfc: string;
}

export type AnyHeaderSpec = HeaderSpec<never, Cardinality> | HeaderSpec<unknown, Cardinality>;

function single<T>(
  name: string,
  compact: string | undefined,
  parse: (s: string) => T,
  print: (v: T) => string,
  rfc: string,
) {
  return {
    name,
    compact,
    cardinality: 'single',
    parseLine: (s: string) => [parse(s)],
    print,
    rfc,
  } as const satisfies HeaderSpec<T, 'single'>;
}

function lines<T>(
  name: string,
  compact: string | undefined,
  parse: (s: string) => T,
  print: (v: T) => string,
  rfc: string,
) {
  return {
    name,
    compact,
    cardinality: 'lines',
    parseLine: (s: string) => [parse(s)],
    print,
    rfc,
  } as const satisfies HeaderSpec<T, 'lines'>;
}

/** A list whose elements must not be empty (a stray comma is an error). */
function list<T>(
  name: string,
  compact: string | undefined,
  parse: (s: string) => T,
  print: (v: T) => string,
  rfc: string,
) {
  const parseLine = (s: string): T[] => {
    if (s.indexOf(',') < 0) {
      // One element (the usual case): no splitting.
      const t = s.trim();
      if (t.length === 0) throw new SipParseError(400, `${name}: empty element in ""`);
      return [parse(t)];
    }
    return splitList(s).map((piece) => {
      if (piece.length === 0) throw new SipParseError(400, `${name}: empty element in "${s.trim()}"`);
      return parse(piece);
    });
  };
  return { name, compact, cardinality: 'list', parseLine, print, rfc } as const satisfies HeaderSpec<T, 'list'>;
}

/** A list parsed as a whole (token lists, which tolerate empty values). */
function listWhole<T>(
  name: string,
  compact: string | undefined,
  parse: (s: string) => T[],
  print: (v: T) => string,
  rfc: string,
) {
  return { name, compact, cardinality: 'list', parseLine: parse, print, rfc } as const satisfies HeaderSpec<T, 'list'>;
}

const id = (s: string): string => s;
const parseAddr = (name: string) => (s: string) => parseNameAddr(s, name);
const parseAuthInfo = (s: string): Params => parseAuthParams(s);
const parseDate = (s: string): Date => parseSipDate(s);

export const HEADERS = {
  accept: listWhole('Accept', undefined, (s) => parseTextList(s).map(parseMediaType), printMediaType, 'RFC 3261'),
  'accept-encoding': listWhole('Accept-Encoding', undefined, parseCodingList, id, 'RFC 3261'),
  'accept-language': listWhole('Accept-Language', undefined, parseLanguageRangeList, id, 'RFC 3261'),
  'alert-info': list('Alert-Info', undefined, parseAddr('Alert-Info'), printNameAddr, 'RFC 3261'),
  allow: listWhole('Allow', undefined, parseTokenList, id, 'RFC 3261'),
  'allow-events': listWhole('Allow-Events', 'u', parseTokenList, id, 'RFC 6665'),
  also: list('Also', undefined, parseAddr('Also'), printNameAddr, 'RFC 2543'),
  'authentication-info': single('Authentication-Info', undefined, parseAuthInfo, printAuthParams, 'RFC 7615'),
  authorization: lines('Authorization', undefined, parseAuthValue, printAuthValue, 'RFC 3261'),
  'call-id': single('Call-ID', 'i', parseCallId, id, 'RFC 3261'),
  'call-info': list('Call-Info', undefined, parseAddr('Call-Info'), printNameAddr, 'RFC 3261'),
  contact: list('Contact', 'm', parseContact, printNameAddr, 'RFC 3261'),
  'content-disposition': single('Content-Disposition', undefined, parseDisposition, id, 'RFC 3261'),
  'content-encoding': listWhole('Content-Encoding', 'e', parseTokenList, id, 'RFC 3261'),
  'content-language': listWhole('Content-Language', undefined, parseLanguageTagList, id, 'RFC 3261'),
  'content-length': single('Content-Length', 'l', parseContentLength, printNumber, 'RFC 3261'),
  'content-type': single('Content-Type', 'c', parseMediaType, printMediaType, 'RFC 3261'),
  cseq: single('CSeq', undefined, parseCSeq, printCSeq, 'RFC 3261'),
  date: single('Date', undefined, parseDate, printSipDate, 'RFC 3261'),
  diversion: list('Diversion', undefined, parseAddr('Diversion'), printNameAddr, 'RFC 5806'),
  'error-info': list('Error-Info', undefined, parseAddr('Error-Info'), printNameAddr, 'RFC 3261'),
  event: single('Event', 'o', parseEvent, printEvent, 'RFC 6665'),
  expires: single('Expires', undefined, parseDeltaSeconds, printNumber, 'RFC 3261'),
  from: single('From', 'f', (s: string) => parseFromTo(s, 'From'), printNameAddr, 'RFC 3261'),
  'in-reply-to': list('In-Reply-To', undefined, parseCallId, id, 'RFC 3261'),
  'max-forwards': single('Max-Forwards', undefined, parseMaxForwards, printNumber, 'RFC 3261'),
  'mime-version': single('MIME-Version', undefined, parseMimeVersion, id, 'RFC 3261'),
  'min-expires': single('Min-Expires', undefined, parseDeltaSeconds, printNumber, 'RFC 3261'),
  'min-se': single('Min-SE', undefined, parseSessionExpires, printSessionExpires, 'RFC 4028'),
  organization: single('Organization', undefined, parseText, printText, 'RFC 3261'),
  path: list('Path', undefined, parseAddr('Path'), printNameAddr, 'RFC 3327'),
  'p-asserted-identity': list(
    'P-Asserted-Identity',
    undefined,
    parseAddr('P-Asserted-Identity'),
    printNameAddr,
    'RFC 3325',
  ),
  'p-preferred-identity': list(
    'P-Preferred-Identity',
    undefined,
    parseAddr('P-Preferred-Identity'),
    printNameAddr,
    'RFC 3325',
  ),
  priority: single('Priority', undefined, parsePriority, printText, 'RFC 3261'),
  privacy: single('Privacy', undefined, parsePrivacy, printPrivacy, 'RFC 3323'),
  'proxy-authenticate': lines('Proxy-Authenticate', undefined, parseAuthValue, printAuthValue, 'RFC 3261'),
  'proxy-authorization': lines('Proxy-Authorization', undefined, parseAuthValue, printAuthValue, 'RFC 3261'),
  'proxy-require': listWhole('Proxy-Require', undefined, parseTokenList, id, 'RFC 3261'),
  rack: single('RAck', undefined, parseRAck, printRAck, 'RFC 3262'),
  reason: list('Reason', undefined, parseReason, printReason, 'RFC 3326'),
  'record-route': list('Record-Route', undefined, parseAddr('Record-Route'), printNameAddr, 'RFC 3261'),
  'refer-to': single('Refer-To', 'r', parseAddr('Refer-To'), printNameAddr, 'RFC 3515'),
  'referred-by': single('Referred-By', 'b', parseAddr('Referred-By'), printNameAddr, 'RFC 3892'),
  replaces: single('Replaces', undefined, parseReplaces, printReplaces, 'RFC 3891'),
  'reply-to': single('Reply-To', undefined, parseAddr('Reply-To'), printNameAddr, 'RFC 3261'),
  'requested-by': single(
    'Requested-By',
    undefined,
    parseAddr('Requested-By'),
    printNameAddr,
    'draft-ietf-sip-cc-transfer (Cisco)',
  ),
  require: listWhole('Require', undefined, parseTokenList, id, 'RFC 3261'),
  'retry-after': single('Retry-After', undefined, parseRetryAfter, printRetryAfter, 'RFC 3261'),
  route: list('Route', undefined, parseAddr('Route'), printNameAddr, 'RFC 3261'),
  rseq: single('RSeq', undefined, parseDeltaSeconds, printNumber, 'RFC 3262'),
  server: single('Server', undefined, parseText, printText, 'RFC 3261'),
  'service-route': list('Service-Route', undefined, parseAddr('Service-Route'), printNameAddr, 'RFC 3608'),
  'session-expires': single('Session-Expires', 'x', parseSessionExpires, printSessionExpires, 'RFC 4028'),
  subject: single('Subject', 's', parseText, printText, 'RFC 3261'),
  'subscription-state': single(
    'Subscription-State',
    undefined,
    parseSubscriptionState,
    printSubscriptionState,
    'RFC 6665',
  ),
  supported: listWhole('Supported', 'k', parseTokenList, id, 'RFC 3261'),
  timestamp: single('Timestamp', undefined, parseTimestamp, printTimestamp, 'RFC 3261'),
  to: single('To', 't', (s: string) => parseFromTo(s, 'To'), printNameAddr, 'RFC 3261'),
  unsupported: listWhole('Unsupported', undefined, parseTokenList, id, 'RFC 3261'),
  'user-agent': single('User-Agent', undefined, parseText, printText, 'RFC 3261'),
  via: list('Via', 'v', parseVia, printVia, 'RFC 3261'),
  warning: list('Warning', undefined, parseWarning, printWarning, 'RFC 3261'),
  'www-authenticate': lines('WWW-Authenticate', undefined, parseAuthValue, printAuthValue, 'RFC 3261'),
} as const;

type Registry = typeof HEADERS;

/** Lower-case canonical names of the headers Switchboard knows: 'via', 'call-id', 'cseq', ... */
export type HeaderKey = keyof Registry;

/** The type of one value of header K (a Via, a NameAddr, a CSeq, a number, ...). */
export type HeaderValueOf<K extends HeaderKey> = Registry[K] extends HeaderSpec<infer T, Cardinality> ? T : never;

/** What `get(K)` returns: every value for list headers, the value or undefined for single ones. */
export type HeaderGet<K extends HeaderKey> = Registry[K]['cardinality'] extends 'single'
  ? HeaderValueOf<K> | undefined
  : readonly HeaderValueOf<K>[];

/** What `set(K, v)` takes: one value for single headers, one or several for the others. */
export type HeaderSet<K extends HeaderKey> = Registry[K]['cardinality'] extends 'single'
  ? HeaderValueOf<K>
  : HeaderValueOf<K> | readonly HeaderValueOf<K>[];

type AnySpec = HeaderSpec<unknown, Cardinality>;

/** The registry entries in a Map: lookups by key are on the hot path of parsing and typed access. */
const SPECS = new Map<string, AnySpec>(Object.entries(HEADERS) as [string, AnySpec][]);

export function headerSpec(key: HeaderKey): HeaderSpec<unknown, Cardinality> {
  return SPECS.get(key) as AnySpec;
}

/** Keys of the 'single' headers. */
export const SINGLE_KEYS: ReadonlySet<string> = new Set(
  [...SPECS].filter(([, spec]) => spec.cardinality === 'single').map(([key]) => key),
);

const byLowerName = new Map<string, HeaderKey>();
/**
 * Canonical, lower-case and compact names bucketed by length and first letter, for the
 * exact-case lookup of names as they are usually written (no hashing of the name).
 */
const buckets = new Map<number, [string, HeaderKey][]>();
const bucketOf = (name: string): number => name.length * 128 + (name.charCodeAt(0) | 0x20);
for (const key of Object.keys(HEADERS) as HeaderKey[]) {
  byLowerName.set(key, key);
  byLowerName.set(HEADERS[key].name, key);
  const compact = HEADERS[key].compact;
  if (compact !== undefined) byLowerName.set(compact, key);
  for (const form of new Set([HEADERS[key].name, key, ...(compact === undefined ? [] : [compact])])) {
    const b = bucketOf(form);
    const list = buckets.get(b) ?? [];
    list.push([form, key]);
    buckets.set(b, list);
  }
}

/** The registry key for a header name as written (any case, long or compact form). */
export function headerKeyOf(name: string): HeaderKey | undefined {
  if (name.length === 0) return undefined;
  const bucket = buckets.get(bucketOf(name));
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) {
    const entry = bucket[i] as [string, HeaderKey];
    if (entry[0] === name) return entry[1];
  }
  return byLowerName.get(name.toLowerCase());
}

/** Exact-case registry forms in an open hash table on (length, first and last letter). */
const FORM_SLOTS = 1024;
const formTable: ([string, HeaderKey][] | undefined)[] = new Array(FORM_SLOTS);
function formSlot(len: number, first: number, last: number): number {
  return (len * 67 + (first | 0x20) * 31 + (last | 0x20)) & (FORM_SLOTS - 1);
}
for (const list of buckets.values()) {
  for (const entry of list) {
    const f = entry[0];
    const slot = formSlot(f.length, f.charCodeAt(0), f.charCodeAt(f.length - 1));
    (formTable[slot] ??= []).push(entry);
  }
}

/**
 * headerKeyOf for the name written at text[from, to), without cutting it out: the name as
 * written and its key when it is a registry form in its usual case, undefined otherwise (the
 * caller then falls back to headerKeyOf on the cut-out name).
 */
export function headerFormAt(text: string, from: number, to: number): readonly [string, HeaderKey] | undefined {
  const len = to - from;
  if (len <= 0) return undefined;
  const slot = formTable[formSlot(len, text.charCodeAt(from), text.charCodeAt(to - 1))];
  if (slot === undefined) return undefined;
  for (let i = 0; i < slot.length; i++) {
    const entry = slot[i] as [string, HeaderKey];
    if (entry[0].length === len && text.startsWith(entry[0], from)) return entry;
  }
  return undefined;
}

/** True for header names in the registry. */
export function isKnownHeader(name: string): boolean {
  return headerKeyOf(name) !== undefined;
}

export type {
  AuthValue,
  CSeq,
  EventValue,
  MediaType,
  NameAddr,
  RAckValue,
  ReasonValue,
  ReplacesValue,
  RetryAfterValue,
  SessionExpiresValue,
  SubscriptionStateValue,
  TimestampValue,
  Via,
  WarningValue,
};
