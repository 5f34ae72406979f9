/**
 * The RFC 4475 and RFC 5118 torture corpora of the shared conformance folder, read by path (never
 * copied into the project), with their manifest verdicts: `parser` (accept / reject /
 * reject-allowed), `expected_response`, `by_role` and `acceptable_alternatives`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir } from '../../helpers/paths.js';

export type ParserVerdict = 'accept' | 'reject' | 'reject-allowed';

export interface CorpusEntry {
  /** "rfc4475/wsinv" */
  readonly id: string;
  readonly corpus: 'rfc4475' | 'rfc5118';
  readonly name: string;
  readonly path: string;
  readonly expected: 'valid' | 'invalid' | 'either';
  readonly parser: ParserVerdict;
  readonly expectedResponse: number | null;
  readonly byRole: Readonly<Record<string, string>> | undefined;
  readonly alternatives: readonly string[];
}

interface ManifestMessage {
  name: string;
  file: string;
  expected: 'valid' | 'invalid' | 'either';
  parser: ParserVerdict;
  expected_response: number | null;
  by_role?: Record<string, string>;
  acceptable_alternatives?: string[];
  archive_defect?: string;
}

function load(corpus: 'rfc4475' | 'rfc5118'): CorpusEntry[] {
  const dir = join(conformanceDir(), corpus);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { messages: ManifestMessage[] };
  const out: CorpusEntry[] = [];
  for (const m of manifest.messages) {
    const entry = {
      corpus,
      name: m.name,
      expected: m.expected,
      parser: m.parser,
      expectedResponse: m.expected_response,
      byRole: m.by_role,
      alternatives: m.acceptable_alternatives ?? [],
    };
    out.push({ ...entry, id: `${corpus}/${m.name}`, path: join(dir, m.file) });
    // A defective archive file has a repaired variant (baddn without its final empty line): it
    // carries the same verdict, since the defect is not what the message tests.
    const variant = /variants\/[A-Za-z0-9._-]+\.dat/.exec(m.archive_defect ?? '')?.[0];
    if (variant) out.push({ ...entry, id: `${corpus}/${variant}`, path: join(dir, variant) });
  }
  return out;
}

let cached: readonly CorpusEntry[] | undefined;

/** Every corpus message: 50 + 1 variant of RFC 4475, 12 of RFC 5118. */
export function corpusEntries(): readonly CorpusEntry[] {
  cached ??= [...load('rfc4475'), ...load('rfc5118')];
  return cached;
}

export function corpusEntry(id: string): CorpusEntry {
  const e = corpusEntries().find((x) => x.id === id);
  if (!e) throw new Error(`no corpus entry ${id}`);
  return e;
}

export function corpusBytes(id: string): Buffer {
  return readFileSync(corpusEntry(id).path);
}

/**
 * The status codes a manifest text names as an answer: "501 Not Implemented", "respond 483 Too
 * Many Hops", "(OPTIONS -> 200)". Warning codes ("Warning 399") are not answers.
 */
export function statusesNamed(text: string): number[] {
  return [...text.matchAll(/(?<!Warning )\b([1-6][0-9]{2})\b/g)].map((m) => Number(m[1]));
}

/** True when a by_role text says the element goes on normally: forward, process, register. */
export function saysProceed(text: string): boolean {
  return /\b(forward|process|normal|normally|register normally)\b/i.test(text);
}
