/**
 * Turns typed header values (URIs, addresses, Via, Params, records, dates) into plain data, so
 * that tests compare them with deepEqual: class instances with private fields (Params) would
 * otherwise compare equal whatever they hold.
 */
import { GenericUri, NameAddr, Params, SipUri, TelUri, Via } from '../../../src/sip/index.js';

export type Plain = null | boolean | number | string | readonly Plain[] | { readonly [key: string]: Plain };

export function plain(v: unknown): Plain {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Params) return v.entries().map(([n, x]) => [n, x]);
  if (v instanceof SipUri || v instanceof TelUri || v instanceof GenericUri) return v.toString();
  if (v instanceof NameAddr) {
    return { display: v.displayName ?? null, uri: v.uri.toString(), params: plain(v.params) };
  }
  if (v instanceof Via) {
    const { protocol, version, transport, host } = v;
    return { protocol, version, transport, host, port: v.port ?? null, params: plain(v.params) };
  }
  if (typeof v === 'object') {
    const out: { [key: string]: Plain } = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  throw new Error(`cannot make ${typeof v} plain`);
}
