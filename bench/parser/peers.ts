/**
 * The parsers compared in bench/parser, each behind the same adapter: take the message as the
 * library's transport would hand it over, parse it, read the top Via branch, the From and To
 * tags, the Call-ID, the CSeq number and the first Contact URI (parsed, reading its host), then
 * serialize it the library's own way. The adapter returns a number derived from what it read
 * so that no work can be optimised away, and throws when a field is missing.
 *
 * Inputs: Switchboard and `sip` (kirm/sip.js) get the Buffer a socket delivers (`sip` decodes it
 * itself); JsSIP and SIP.js get a string, as their WebSocket transports do, decoded once outside
 * the timed loop (which favours them). Outputs: Switchboard's toBuffer() gives the received bytes
 * back when they already are a serialization (as JsSIP's and SIP.js's toString() give back the
 * received text); `sip` re-builds a string with `stringify`. The 'sb re-print' column shows
 * Switchboard re-printing every line instead (toOutgoing().toBuffer()).
 */
import { createRequire } from 'node:module';
import { Parser as SipJsParser } from 'sip.js/lib/core/messages/parser.js';
import { parseMessage } from '../../src/sip/index.js';

const require = createRequire(import.meta.url);

export interface ParserAdapter {
  readonly name: string;
  /** Converts the wire text into the adapter's input (not timed). */
  prepare(text: string): unknown;
  /** Parses, reads the fields, serializes; returns a checksum. */
  run(input: unknown): number;
}

function need<T>(v: T | undefined | null, what: string): T {
  if (v === undefined || v === null) throw new Error(`${what} missing`);
  return v;
}

function mix(...parts: readonly (string | number | undefined)[]): number {
  let n = 0;
  for (const p of parts) n += typeof p === 'number' ? p : (p?.length ?? 0);
  return n;
}

export const switchboard: ParserAdapter = {
  name: 'switchboard',
  prepare: (text) => Buffer.from(text, 'utf8'),
  run(input) {
    const r = parseMessage(input as Buffer);
    if (!r.ok) throw r.error;
    const msg = r.message;
    const branch = msg.topVia.branch;
    const contact = need(msg.get('contact')[0], 'Contact').uri;
    if (contact.kind !== 'sip') throw new Error('Contact is not a SIP URI');
    const out = msg.toBuffer();
    return mix(branch, msg.fromTag, msg.toTag, msg.callId, msg.cseq.seq, contact.host, out.length);
  },
};

/**
 * The same, but serialized by re-printing every header line (what a proxy does after editing a
 * copy: toOutgoing() then toBuffer()), instead of reusing the received bytes.
 */
export const switchboardReprint: ParserAdapter = {
  name: 'sb re-print',
  prepare: (text) => Buffer.from(text, 'utf8'),
  run(input) {
    const r = parseMessage(input as Buffer);
    if (!r.ok) throw r.error;
    const msg = r.message;
    const branch = msg.topVia.branch;
    const contact = need(msg.get('contact')[0], 'Contact').uri;
    if (contact.kind !== 'sip') throw new Error('Contact is not a SIP URI');
    const out = msg.toOutgoing().toBuffer();
    return mix(branch, msg.fromTag, msg.toTag, msg.callId, msg.cseq.seq, contact.host, out.length);
  },
};

// ---- JsSIP (lib/Parser.js: the parser its transports call; the UA argument is only stored) ----
interface JsSipUri {
  host: string;
}
interface JsSipMessage {
  via_branch: string;
  from_tag: string;
  to_tag: string | undefined;
  call_id: string;
  cseq: number;
  parseHeader(name: string): { uri: JsSipUri } | undefined;
  toString(): string;
}
const jssipParser = require('jssip/lib/Parser.js') as {
  parseMessage(data: string, ua: unknown): JsSipMessage | undefined;
};

export const jssip: ParserAdapter = {
  name: 'jssip',
  prepare: (text) => text,
  run(input) {
    const m = need(jssipParser.parseMessage(input as string, {}), 'JsSIP message');
    const contact = need(m.parseHeader('contact'), 'Contact').uri;
    const out = m.toString();
    return mix(m.via_branch, m.from_tag, m.to_tag, m.call_id, m.cseq, contact.host, out.length);
  },
};

// ---- SIP.js (core Parser.parseMessage, as its UserAgentCore transport path uses it) ----
interface SipJsMessage {
  viaBranch: string;
  fromTag: string;
  toTag: string | undefined;
  callId: string;
  cseq: number;
  parseHeader(name: string): { uri: JsSipUri } | undefined;
  toString(): string;
}
const quiet = { error() {}, warn() {}, log() {}, debug() {} };
const sipJsParse = SipJsParser.parseMessage as unknown as (data: string, logger: unknown) => SipJsMessage | undefined;

export const sipjs: ParserAdapter = {
  name: 'sip.js',
  prepare: (text) => text,
  run(input) {
    const m = need(sipJsParse(input as string, quiet), 'SIP.js message');
    const contact = need(m.parseHeader('contact'), 'Contact').uri;
    const out = m.toString();
    return mix(m.viaBranch, m.fromTag, m.toTag, m.callId, m.cseq, contact.host, out.length);
  },
};

// ---- sip (kirm/sip.js: parse(Buffer) gives plain objects; URIs are parsed on demand) ----
interface KirmAddr {
  uri: string;
  params: Record<string, string | null>;
}
interface KirmMessage {
  headers: {
    via: { params: Record<string, string | null> }[];
    from: KirmAddr;
    to: KirmAddr;
    'call-id': string;
    cseq: { seq: number; method: string };
    contact: KirmAddr[];
  };
}
const kirm = require('sip') as {
  parse(data: Buffer): KirmMessage | undefined;
  parseUri(s: string): { host: string } | undefined;
  stringify(m: KirmMessage): string;
};

export const kirmSip: ParserAdapter = {
  name: 'sip',
  prepare: (text) => Buffer.from(text, 'utf8'),
  run(input) {
    const m = need(kirm.parse(input as Buffer), 'sip message');
    const h = m.headers;
    const branch = need(h.via[0], 'Via').params['branch'] ?? undefined;
    const contact = need(kirm.parseUri(need(h.contact[0], 'Contact').uri), 'Contact URI');
    const out = kirm.stringify(m);
    return mix(
      branch,
      h.from.params['tag'] ?? undefined,
      h.to.params['tag'] ?? undefined,
      h['call-id'],
      h.cseq.seq,
      contact.host,
      out.length,
    );
  },
};

export const PEERS: readonly ParserAdapter[] = [jssip, sipjs, kirmSip];
