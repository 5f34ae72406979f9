/**
 * Start lines (RFC 3261 sections 7.1 and 7.2): Request-Line = Method SP Request-URI SP
 * SIP-Version, Status-Line = SIP-Version SP Status-Code SP Reason-Phrase. One space between the
 * parts (RFC 4475 lwsstart, trws are refused); another SIP version is a 505.
 */
import { SipParseError } from './errors.js';
import { clip, isToken } from './grammar.js';

function fail(status: number, reason: string): never {
  throw new SipParseError(status, reason);
}

export function parseRequestLine(line: string): { method: string; uriText: string; version: string } {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 === sp1 + 1 || sp2 === line.length - 1) {
    fail(400, `malformed request line "${clip(line)}" (method SP Request-URI SP SIP-Version)`);
  }
  const method = line.slice(0, sp1);
  const uriText = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) fail(400, `bad method "${clip(method)}"`);
  if (version !== 'SIP/2.0' && version.toUpperCase() !== 'SIP/2.0') {
    if (/^SIP\/[0-9]+\.[0-9]+$/i.test(version)) fail(505, `SIP version ${version.slice(4)} is not supported`);
    fail(400, `bad SIP version "${clip(version)}"`);
  }
  return { method, uriText, version };
}

export function parseStatusLine(line: string): { status: number; reason: string } {
  const m = /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3}) (.*)$/is.exec(line) ?? /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3})$/i.exec(line);
  if (!m) fail(400, `malformed status line "${clip(line)}"`);
  if (m[1] !== '2.0') fail(505, `SIP version ${m[1]} is not supported`);
  const status = Number(m[2]);
  if (status < 100 || status > 699) fail(400, `status code ${status} out of range`);
  return { status, reason: m[3] ?? '' };
}
