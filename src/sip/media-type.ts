/** Content-Type and Accept media types (RFC 3261 sections 20.1 and 20.15; RFC 2045 grammar). */
import { SipParseError } from './errors.js';
import { clip, isToken } from './grammar.js';
import { parseHeaderParams } from './header-params.js';
import { Params } from './params.js';

export interface MediaType {
  /** Lower-case type, e.g. "application" ("*" in an Accept range). */
  readonly type: string;
  /** Lower-case subtype, e.g. "sdp". */
  readonly subtype: string;
  readonly params: Params;
}

export function mediaType(type: string, subtype: string, params: Params = Params.empty): MediaType {
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

export function parseMediaType(s: string): MediaType {
  const semi = s.indexOf(';');
  const main = (semi < 0 ? s : s.slice(0, semi)).trim();
  const slash = main.indexOf('/');
  const type = slash < 0 ? '' : main.slice(0, slash).trim();
  const subtype = slash < 0 ? '' : main.slice(slash + 1).trim();
  if (!isToken(type) || !isToken(subtype)) throw new SipParseError(400, `bad media type "${clip(s)}"`);
  const params = semi < 0 ? Params.empty : parseHeaderParams(s, semi, 'media type');
  return mediaType(type, subtype, params);
}

export function printMediaType(m: MediaType): string {
  return `${m.type}/${m.subtype}${m.params.toString(';')}`;
}

/** "application/sdp" style essence without parameters. */
export function mediaTypeEssence(m: MediaType): string {
  return `${m.type}/${m.subtype}`;
}

/** True when the Accept range `range` (which may use *) covers `type/subtype`. */
export function mediaRangeMatches(range: MediaType, type: string, subtype: string): boolean {
  return (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype);
}
