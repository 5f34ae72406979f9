/**
 * name-addr / addr-spec with header parameters: the value of From, To, Contact, Route,
 * Record-Route, Refer-To, Referred-By, Reply-To, Also, Requested-By, Diversion, Path, Call-Info
 * and Alert-Info (RFC 3261 sections 20.10, 20.20, 20.39 and 25.1). When the URI is not in angle
 * brackets, the parameters after it belong to the header, not to the URI (RFC 4475 cparam01),
 * and such a URI may not carry ',', '?' or ';' of its own (RFC 4475 regbadct).
 */
import { SipParseError } from './errors.js';
import { clip, endOfQuoted, isToken, isTokenChar, quote, skipWs, unquote } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import { Params } from './params.js';
import { GenericUri, type Uri } from './uri.js';
import { parseUri } from './uri-parse.js';

export interface NameAddrInit {
  displayName?: string | undefined;
  params?: Params;
}

export class NameAddr {
  /** The display name without quotes or escapes; undefined when absent. */
  readonly displayName: string | undefined;
  readonly uri: Uri;
  /** Header parameters: tag, expires, q, +sip.instance, ... */
  readonly params: Params;

  constructor(uri: Uri, init: NameAddrInit = {}) {
    this.uri = uri;
    this.displayName = init.displayName;
    this.params = init.params ?? Params.empty;
  }

  /** `Contact: *` (RFC 3261 section 10.2.2): remove every binding. */
  static readonly wildcard = new NameAddr(new GenericUri('*', ''));

  get isWildcard(): boolean {
    return this.uri instanceof GenericUri && this.uri.scheme === '*';
  }

  get tag(): string | undefined {
    return this.params.getUnquoted('tag');
  }

  withTag(tag: string): NameAddr {
    return this.withParam('tag', tag);
  }

  withParam(name: string, value: string | number | null = null): NameAddr {
    return new NameAddr(this.uri, { displayName: this.displayName, params: this.params.with(name, value) });
  }

  withoutParam(name: string): NameAddr {
    return new NameAddr(this.uri, { displayName: this.displayName, params: this.params.without(name) });
  }

  withUri(uri: Uri): NameAddr {
    return new NameAddr(uri, { displayName: this.displayName, params: this.params });
  }

  toString(): string {
    if (this.isWildcard) return '*';
    let s = '';
    if (this.displayName !== undefined && this.displayName.length > 0) {
      // One token may go bare ("Bob"); several words are quoted, which every parser reads the same
      // way (unquoted `A. G. Bell` is legal, section 25.1, but peers differ on its white space).
      s = isToken(this.displayName) ? `${this.displayName} ` : `${quote(this.displayName)} `;
    }
    return `${s}<${this.uri.toString()}>${this.params.toString(';')}`;
  }
}

function checkDisplayTokens(s: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c >= 0x80 || isTokenChar(c)) continue;
    const dn = s.slice(from, to);
    throw new SipParseError(400, `display name "${clip(dn)}" must be quoted (character '${s[i]}') in "${clip(s)}"`);
  }
}

function isWsCode(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Parses one name-addr or addr-spec followed by header parameters. */
export function parseNameAddr(s: string, what = 'address'): NameAddr {
  let i = skipWs(s, 0);
  if (i >= s.length) throw new SipParseError(400, `${what}: empty value`);
  let displayName: string | undefined;
  if (s.charCodeAt(i) === 0x22) {
    const end = endOfQuoted(s, i);
    displayName = unquote(s.slice(i, end + 1));
    i = skipWs(s, end + 1);
    if (s.charCodeAt(i) !== 0x3c) throw new SipParseError(400, `${what}: expected '<' after the display name`);
  } else if (s.charCodeAt(i) !== 0x3c) {
    const lt = s.indexOf('<', i);
    if (lt >= 0) {
      let e = lt;
      while (e > i && isWsCode(s.charCodeAt(e - 1))) e--;
      checkDisplayTokens(s, i, e);
      if (e > i) {
        const dn = s.slice(i, e);
        // *(token LWS): runs of white space between the words read as one space.
        displayName = dn.indexOf('  ') < 0 && dn.indexOf('\t') < 0 ? dn : dn.replace(/\s+/g, ' ');
      }
      i = lt;
    }
  }
  if (s.charCodeAt(i) === 0x3c) {
    const gt = s.indexOf('>', i);
    if (gt < 0) throw new SipParseError(400, `${what}: missing '>' in "${clip(s)}"`);
    const uri = parseUri(s.slice(i + 1, gt));
    return new NameAddr(uri, { displayName, params: parseHeaderParams(s, gt + 1, what) });
  }
  // addr-spec: the URI runs to the first ';' or white space; its parameters are header parameters.
  let end = i;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    if (c === 0x3b || c === 0x20 || c === 0x09) break;
    end++;
  }
  const uriText = s.slice(i, end);
  if (uriText.includes('?') || uriText.includes(',')) {
    throw new SipParseError(400, `${what}: a URI with '?' or ',' must be in angle brackets: "${clip(uriText)}"`);
  }
  return new NameAddr(parseUri(uriText), { params: parseHeaderParams(s, end, what) });
}

/** From and To (sections 20.20, 20.39): an address whose tag, when present, is a token (tag-param = "tag" EQUAL token). */
export function parseFromTo(s: string, what: string): NameAddr {
  const na = parseNameAddr(s, what);
  const tag = na.params.get('tag');
  if (tag !== undefined && (tag === null || !isToken(tag))) {
    throw new SipParseError(400, `${what}: the tag must be a token, not ${tag === null ? 'empty' : `"${clip(tag)}"`}`);
  }
  return na;
}

/** Parses a Contact value: `*` or a name-addr/addr-spec. */
export function parseContact(s: string): NameAddr {
  return s === '*' || (s.length < 8 && s.trim() === '*') ? NameAddr.wildcard : parseNameAddr(s, 'Contact');
}

/** The tag of a From or To value, checking it is a token. */
export function tagOf(na: NameAddr | undefined): string | undefined {
  const t = na?.params.get('tag');
  return typeof t === 'string' ? t : undefined;
}

export function printNameAddr(na: NameAddr): string {
  return na.toString();
}
