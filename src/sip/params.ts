/**
 * Ordered parameters (`;name=value`) of URIs and header values. Names compare case-insensitively
 * (RFC 3261 section 7.3.1); values are kept exactly as written, quoted strings with their quotes,
 * so that printing reproduces them. A parameter without a value has the value null.
 */
import { unquote } from './grammar.js';

export type ParamValue = string | null;
export type ParamEntry = readonly [name: string, value: ParamValue];

export class Params {
  static readonly empty = new Params([]);

  readonly #entries: readonly ParamEntry[];

  constructor(entries: readonly ParamEntry[]) {
    this.#entries = entries;
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
    return this.#entries.length;
  }

  entries(): readonly ParamEntry[] {
    return this.#entries;
  }

  private indexOf(name: string): number {
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) if ((entries[i] as ParamEntry)[0] === name) return i;
    // Names are case-insensitive: compare the lower-case forms of same-length names only.
    let lower: string | undefined;
    for (let i = 0; i < entries.length; i++) {
      const n = (entries[i] as ParamEntry)[0];
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
    return i < 0 ? undefined : (this.#entries[i] as ParamEntry)[1];
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
    const next = this.#entries.slice();
    if (i >= 0) next[i] = [(this.#entries[i] as ParamEntry)[0], v];
    else next.push([name, v]);
    return new Params(next);
  }

  /** A copy without `name`. */
  without(name: string): Params {
    const i = this.indexOf(name);
    if (i < 0) return this;
    const next = this.#entries.slice();
    next.splice(i, 1);
    return new Params(next);
  }

  /** `;a=b;c` (or with another separator, e.g. '&' for URI headers after the first). */
  toString(separator = ';', leading = true): string {
    let out = '';
    for (let i = 0; i < this.#entries.length; i++) {
      const [n, v] = this.#entries[i] as ParamEntry;
      if (leading || i > 0) out += separator;
      out += v === null ? n : `${n}=${v}`;
    }
    return out;
  }

  /** Section 19.1.4-style comparison: same names (any case) with equal values (case-insensitive). */
  equals(other: Params): boolean {
    if (other.size !== this.size) return false;
    for (const [n, v] of this.#entries) {
      const o = other.get(n);
      if (o === undefined) return false;
      if ((o === null) !== (v === null)) return false;
      if (o !== null && v !== null && o.toLowerCase() !== v.toLowerCase()) return false;
    }
    return true;
  }
}
