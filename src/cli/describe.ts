/**
 * Turns typed SIP values (URIs, addresses, Via, params, ...) into plain JSON for
 * `switchboard parse --json` and into short human-readable summaries.
 */
import { GenericUri, NameAddr, Params, SipUri, TelUri, Via } from '../sip/index.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function params(p: Params): Json {
  const out: { [key: string]: Json } = {};
  for (const [n, v] of p.entries()) out[n] = v;
  return out;
}

export function describe(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(describe);
  if (value instanceof Params) return params(value);
  if (value instanceof SipUri) {
    return {
      text: value.toString(),
      scheme: value.scheme,
      user: value.user ?? null,
      password: value.password ?? null,
      host: value.host,
      port: value.port ?? null,
      params: params(value.params),
      headers: params(value.headers),
    };
  }
  if (value instanceof TelUri)
    return { text: value.toString(), scheme: 'tel', number: value.number, params: params(value.params) };
  if (value instanceof GenericUri) return { text: value.toString(), scheme: value.scheme, opaque: value.opaque };
  if (value instanceof NameAddr) {
    if (value.isWildcard) return '*';
    return { displayName: value.displayName ?? null, uri: describe(value.uri), params: params(value.params) };
  }
  if (value instanceof Via) {
    return {
      text: value.toString(),
      protocol: `${value.protocol}/${value.version}`,
      transport: value.transport,
      host: value.host,
      port: value.port ?? null,
      branch: value.branch ?? null,
      params: params(value.params),
    };
  }
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = describe(v);
    return out;
  }
  return String(value);
}

function pairs(p: Params): string[] {
  return p.entries().map(([n, v]) => (v === null ? n : `${n}=${v}`));
}

/** A one-line summary of a typed value for the human output; `print` is the registry printer. */
export function summarize(value: unknown, print?: (v: never) => string): string {
  if (value instanceof SipUri) {
    const parts = [
      `${value.scheme}:`,
      value.user === undefined ? '' : `user=${JSON.stringify(value.user)}`,
      `host=${value.host}`,
    ];
    if (value.port !== undefined) parts.push(`port=${value.port}`);
    if (value.params.size > 0) parts.push(`params[${pairs(value.params).join(' ')}]`);
    if (value.headers.size > 0) parts.push(`headers[${pairs(value.headers).join(' ')}]`);
    return parts.filter((x) => x.length > 0).join(' ');
  }
  if (value instanceof NameAddr) {
    if (value.isWildcard) return '* (all bindings)';
    const parts = [`uri=<${value.uri.toString()}>`];
    if (value.displayName !== undefined) parts.unshift(`display=${JSON.stringify(value.displayName)}`);
    for (const [n, v] of value.params.entries()) parts.push(v === null ? n : `${n}=${v}`);
    return parts.join(' ');
  }
  if (value instanceof Via) {
    const parts = [`${value.transport} ${value.host}${value.port === undefined ? '' : `:${value.port}`}`];
    for (const [n, v] of value.params.entries()) parts.push(v === null ? n : `${n}=${v}`);
    return parts.join(' ');
  }
  if (value instanceof Date) return value.toISOString();
  if (print) return print(value as never);
  const d = describe(value);
  return typeof d === 'string' ? d : JSON.stringify(d);
}
