/**
 * Ordered parameters (`;name=value`) of URIs and header values. Names compare case-insensitively
 * (RFC 3261 section 7.3.1); values are kept exactly as written, quoted strings with their quotes,
 * so that printing reproduces them. A parameter without a value has the value null.
 *
 * Stored flat (name, value, name, value...) because parsers build many of them; the tuples of
 * entries() are made on first use.
 */
import { unquote } from './grammar.js';

export type ParamValue = string | null;
export type ParamEntry = readonly [name: string, value: ParamValue];

const NO_VALUES: readonly ParamValue[] = Object.freeze([]);
const NO_ENTRIES: readonly ParamEntry[] = Object.freeze([]);

export class Params {
  static readonly empty = new Params([]);

  /** name, value, name, value... */
  #flat: readonly ParamValue[];
  #entries: readonly ParamEntry[] | undefined;

  constructor(entries: readonly ParamEntry[]) {
    if (entries.length === 0) this.#flat = NO_VALUES;
    else {
      const flat: ParamValue[] = [];
      for (const [n, v] of entries) flat.push(n, v);
      this.#flat = flat;
    }
    this.#entries = entries;
  }

  /** From alternating names and values (names are strings, values strings or null); used by the parsers. */
  static fromFlat(flat: readonly ParamValue[]): Params {
    const p = new Params(NO_ENTRIES);
    p.#flat = flat;
    p.#entries = undefined;
    return p;
  }

  /** Builds params from an object; null values are flags (`;lr`), undefined values are skipped. */
  static of(record: Readonly<Record<string, string | number | null | undefined>>): Params {
    const entries: ParamEntry[] = [];
    for (const [k, v] of Object.entries(record)) {
      if (v === undefined) continue;
      entries.push([k, v === null ? null : String(v)]);
    }
    return entries.length === 0 ? Params.empty : new Params(entries);
  }

  get size(): number {
    return this.#flat.length >> 1;
  }

  entries(): readonly ParamEntry[] {
    if (this.#entries === undefined) {
      const flat = this.#flat;
      const out: ParamEntry[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as ParamValue]);
      this.#entries = out;
    }
    return this.#entries;
  }

  /** Index of the name in the flat list, or -1. */
  private indexOf(name: string): number {
    const flat = this.#flat;
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return i;
    // Names are case-insensitive: compare the lower-case forms of same-length names only.
    let lower: string | undefined;
    for (let i = 0; i < flat.length; i += 2) {
      const n = flat[i] as string;
      if (n.length !== name.length) continue;
      lower ??= name.toLowerCase();
      if (n.toLowerCase() === lower) return i;
    }
    return -1;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /** The raw value: undefined when absent, null when present without a value. */
  get(name: string): ParamValue | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : (this.#flat[i + 1] as ParamValue);
  }

  /** The value with the quotes of a quoted-string removed. */
  getUnquoted(name: string): string | undefined {
    const v = this.get(name);
    return v === undefined || v === null ? undefined : unquote(v);
  }

  /** A copy with `name` set (replacing it in place when present, appended otherwise). */
  with(name: string, value: string | number | null = null): Params {
    const v = value === null ? null : String(value);
    const i = this.indexOf(name);
    const next = this.#flat.slice();
    if (i >= 0) next[i + 1] = v;
    else next.push(name, v);
    return Params.fromFlat(next);
  }

  /** A copy without `name`. */
  without(name: string): Params {
    const i = this.indexOf(name);
    if (i < 0) return this;
    const next = this.#flat.slice();
    next.splice(i, 2);
    return Params.fromFlat(next);
  }

  /** `;a=b;c` (or with another separator, e.g. '&' for URI headers after the first). */
  toString(separator = ';', leading = true): string {
    const flat = this.#flat;
    let out = '';
    for (let i = 0; i < flat.length; i += 2) {
      const n = flat[i] as string;
      const v = flat[i + 1] as ParamValue;
      if (leading || i > 0) out += separator;
      out += v === null ? n : `${n}=${v}`;
    }
    return out;
  }

  /** Section 19.1.4-style comparison: same names (any case) with equal values (case-insensitive). */
  equals(other: Params): boolean {
    if (other.size !== this.size) return false;
    const flat = this.#flat;
    for (let i = 0; i < flat.length; i += 2) {
      const v = flat[i + 1] as ParamValue;
      const o = other.get(flat[i] as string);
      if (o === undefined) return false;
      if ((o === null) !== (v === null)) return false;
      if (o !== null && v !== null && o.toLowerCase() !== v.toLowerCase()) return false;
    }
    return true;
  }
}
