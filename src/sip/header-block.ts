/**
 * The ordered header lines of a message, shared by incoming (frozen) and outgoing (built)
 * messages. A line keeps its raw value text when it came from the wire (so unknown and untouched
 * headers are forwarded byte for byte, RFC 4475 wsinv) and its parsed values once asked for.
 * Typed access goes through the registry: `get('via')` is `readonly Via[]`, `get('cseq')` is
 * `CSeq | undefined`. A malformed known header throws SipHeaderError (status 400) only when read
 * (ARCHITECTURE.md principle 2: parse leniently, fail when the stack needs the header).
 */

import type { CSeq } from './cseq.js';
import { SipHeaderError, SipParseError } from './errors.js';
import type { NameAddr } from './name-addr.js';
import { type HeaderGet, type HeaderKey, type HeaderSet, headerKeyOf, headerSpec, SINGLE_KEYS } from './registry.js';
import type { Via } from './via.js';

export interface HeaderLine {
  /** The name as written on the wire (or the canonical name for built lines). */
  readonly name: string;
  /** Registry key for known headers, the lower-case name otherwise. */
  readonly key: string;
  readonly known: boolean;
  /** Raw value text (unfolded); undefined for lines built from values. */
  readonly raw: string | undefined;
  /** Parsed values, once parsed or when built. */
  values: readonly unknown[] | undefined;
  error: SipParseError | undefined;
}

export type TryGet<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SipHeaderError };

export function rawLine(name: string, raw: string): HeaderLine {
  const key = headerKeyOf(name);
  return { name, key: key ?? name.toLowerCase(), known: key !== undefined, raw, values: undefined, error: undefined };
}

/**
 * The lines that hold `values`: one line for list and single headers, one line per value for
 * 'lines' headers (challenges and credentials, whose values contain commas and cannot share a line).
 */
function linesFor(key: HeaderKey, values: readonly unknown[]): HeaderLine[] {
  if (headerSpec(key).cardinality !== 'lines' || values.length <= 1) return [builtLine(key, values)];
  return values.map((v) => builtLine(key, [v]));
}

export function builtLine(key: HeaderKey, values: readonly unknown[]): HeaderLine {
  return { name: headerSpec(key).name, key, known: true, raw: undefined, values, error: undefined };
}

/** Parses (and caches) the values of a known line; throws SipParseError when malformed. */
export function lineValues(line: HeaderLine): readonly unknown[] {
  if (line.values !== undefined) return line.values;
  if (line.error !== undefined) throw line.error;
  try {
    line.values = headerSpec(line.key as HeaderKey).parseLine(line.raw ?? '');
    return line.values;
  } catch (err) {
    line.error = err instanceof SipParseError ? err : new SipParseError(400, String(err));
    throw line.error;
  }
}

/** lineValues for typed access: the error names the header (SipHeaderError). */
function valuesOf(line: HeaderLine): readonly unknown[] {
  try {
    return lineValues(line);
  } catch (err) {
    throw new SipHeaderError(headerSpec(line.key as HeaderKey).name, err instanceof Error ? err.message : String(err));
  }
}

/** The value text of a line as it will be printed. */
export function lineText(line: HeaderLine): string {
  if (line.raw !== undefined) return line.raw;
  const spec = headerSpec(line.key as HeaderKey);
  return (line.values ?? []).map((v) => spec.print(v)).join(', ');
}

export abstract class HeaderBlock {
  protected lines: HeaderLine[];
  /** Values of list headers combined from several lines: key, value, key, value... */
  private combined: unknown[] | undefined;

  /** The body bytes (untouched, whatever the Content-Type). */
  abstract readonly body: Uint8Array;

  protected constructor(lines: HeaderLine[]) {
    this.lines = lines;
  }

  private need<T>(value: T | undefined, name: string): T {
    if (value === undefined) throw new SipHeaderError(name, 'missing');
    return value;
  }

  /** Call-ID; throws SipHeaderError when missing or malformed. */
  get callId(): string {
    return this.need(this.get('call-id'), 'Call-ID');
  }

  get cseq(): CSeq {
    return this.need(this.get('cseq'), 'CSeq');
  }

  get from(): NameAddr {
    return this.need(this.get('from'), 'From');
  }

  get to(): NameAddr {
    return this.need(this.get('to'), 'To');
  }

  get fromTag(): string | undefined {
    return this.get('from')?.tag;
  }

  get toTag(): string | undefined {
    return this.get('to')?.tag;
  }

  /** The topmost Via (section 8.1.1.7). */
  get topVia(): Via {
    return this.need(this.get('via')[0], 'Via');
  }

  /** The body as UTF-8 text. */
  get bodyText(): string {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('utf8');
  }

  /** The Content-Type essence in lower case ("application/sdp"), or undefined. */
  get contentType(): string | undefined {
    const ct = this.get('content-type');
    return ct === undefined ? undefined : `${ct.type}/${ct.subtype}`;
  }

  /** Typed access to a known header. Throws SipHeaderError when the header is malformed. */
  get<K extends HeaderKey>(key: K): HeaderGet<K> {
    const lines = this.lines;
    if (SINGLE_KEYS.has(key)) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as HeaderLine;
        if (line.key === key) return (line.values ?? valuesOf(line))[0] as HeaderGet<K>;
      }
      return undefined as HeaderGet<K>;
    }
    const combined = this.combined;
    if (combined !== undefined) {
      for (let i = 0; i < combined.length; i += 2) if (combined[i] === key) return combined[i + 1] as HeaderGet<K>;
    }
    let out: readonly unknown[] | undefined;
    let merged = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as HeaderLine;
      if (line.key !== key) continue;
      const values = line.values ?? valuesOf(line);
      if (out === undefined) out = values;
      else if (merged) (out as unknown[]).push(...values);
      else {
        out = out.concat(values);
        merged = true;
      }
    }
    // Values of several lines are combined once and kept; one line's values are its own.
    if (merged) (this.combined ??= []).push(key, out);
    return (out ?? EMPTY) as HeaderGet<K>;
  }

  /** Like get, but returns the error instead of throwing. */
  tryGet<K extends HeaderKey>(key: K): TryGet<HeaderGet<K>> {
    try {
      return { ok: true, value: this.get(key) };
    } catch (err) {
      if (err instanceof SipHeaderError) return { ok: false, error: err };
      throw err;
    }
  }

  /** True when at least one line of this header (known or not, any form of its name) is present. */
  has(name: string): boolean {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    return this.lines.some((l) => l.key === key);
  }

  /** How many lines of this header the message has (a single header appearing twice gives 2). */
  count(name: string): number {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    let n = 0;
    for (const l of this.lines) if (l.key === key) n++;
    return n;
  }

  /** The value text of every line of a header, in order (for unknown headers, or to forward raw). */
  getRaw(name: string): string[] {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    return this.lines.filter((l) => l.key === key).map(lineText);
  }

  /** Every header line in order, as name and value text. */
  headerLines(): { name: string; value: string; known: boolean }[] {
    return this.lines.map((l) => ({ name: l.name, value: lineText(l), known: l.known }));
  }

  /** Parses every known header and returns the problems found (for diagnostics and validation). */
  headerErrors(): { name: string; error: SipParseError }[] {
    const out: { name: string; error: SipParseError }[] = [];
    for (const line of this.lines) {
      if (!line.known) continue;
      try {
        lineValues(line);
      } catch (err) {
        out.push({ name: headerSpec(line.key as HeaderKey).name, error: err as SipParseError });
      }
    }
    return out;
  }

  /** The lines of one header, for copying into another message (see MutableHeaderBlock.copyFrom). */
  linesOf(name: string): readonly HeaderLine[] {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    return this.lines.filter((l) => l.key === key);
  }

  /** The raw lines, for copying into an outgoing message. */
  protected copyLines(): HeaderLine[] {
    return this.lines.map((l) => ({ ...l }));
  }

  protected invalidate(): void {
    this.combined = undefined;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Header editing for outgoing messages. */
export abstract class MutableHeaderBlock extends HeaderBlock {
  /** Replaces every line of the header with one line holding the given value(s). */
  set<K extends HeaderKey>(key: K, value: HeaderSet<K>): this {
    const added = linesFor(key, toValues(key, value));
    const idx = this.lines.findIndex((l) => l.key === key);
    this.lines = this.lines.filter((l) => l.key !== key);
    if (idx >= 0 && idx <= this.lines.length) this.lines.splice(idx, 0, ...added);
    else this.lines.push(...added);
    this.invalidate();
    return this;
  }

  /** Adds a line with the value(s) after the existing ones (for single headers, replaces). */
  append<K extends HeaderKey>(key: K, value: HeaderSet<K>): this {
    if (headerSpec(key).cardinality === 'single') return this.set(key, value);
    const last = this.lines.findLastIndex((l) => l.key === key);
    const added = linesFor(key, toValues(key, value));
    if (last >= 0) this.lines.splice(last + 1, 0, ...added);
    else this.lines.push(...added);
    this.invalidate();
    return this;
  }

  /** Adds a line with the value(s) before the existing ones (a new top Via, a Record-Route). */
  prepend<K extends HeaderKey>(key: K, value: HeaderSet<K>): this {
    const added = linesFor(key, toValues(key, value));
    const first = this.lines.findIndex((l) => l.key === key);
    if (first >= 0) this.lines.splice(first, 0, ...added);
    else if (key === 'via') this.lines.unshift(...added);
    else this.lines.push(...added);
    this.invalidate();
    return this;
  }

  /**
   * Removes the first value of a list header (the top Via of a response, the first Route of a
   * request), re-printing the rest of its line when the line held several values.
   */
  shift<K extends HeaderKey>(key: K): this {
    const idx = this.lines.findIndex((l) => l.key === key);
    if (idx < 0) return this;
    const line = this.lines[idx] as HeaderLine;
    const values = lineValues(line);
    if (values.length <= 1) this.lines.splice(idx, 1);
    else this.lines[idx] = builtLine(key, values.slice(1));
    this.invalidate();
    return this;
  }

  /** Removes every line of a header (known or unknown). */
  remove(name: string): this {
    const key = headerKeyOf(name) ?? name.toLowerCase();
    this.lines = this.lines.filter((l) => l.key !== key);
    this.invalidate();
    return this;
  }

  /** Appends copies of every line of a header from another message, in order (raw text kept). */
  copyFrom(source: HeaderBlock, name: string): this {
    for (const l of source.linesOf(name)) this.lines.push({ ...l });
    this.invalidate();
    return this;
  }

  /** Appends a raw line (any header; known ones are parsed when read). */
  appendRaw(name: string, value: string): this {
    if (/[\r\n]/.test(value) || !/^[!#-'*+.0-9A-Z^-z|~-]+$/.test(name)) {
      throw new SipParseError(400, `invalid header line "${name}: ${value.slice(0, 40)}"`);
    }
    this.lines.push(rawLine(name, value));
    this.invalidate();
    return this;
  }

  /** Replaces every line of a header with one raw line. */
  setRaw(name: string, value: string): this {
    this.remove(name);
    return this.appendRaw(name, value);
  }
}

/** One value for single headers (whose value may itself be an array, as Privacy's), one or several for the others. */
function toValues(key: HeaderKey, value: unknown): readonly unknown[] {
  if (headerSpec(key).cardinality === 'single') return [value];
  return Array.isArray(value) ? value : [value];
}
