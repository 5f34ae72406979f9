/**
 * The PROTOS c07-sip test material (OUSPG, 4527 INVITE cases) read straight from the shared
 * corpus: cases.tar.gz is gunzipped with node:zlib and read with a minimal ustar reader; each
 * case file ("bugcat": `<length> SP <INVITE PDU><length> SP <teardown PDU>`) is split into its
 * two PDUs and the placeholders are filled as the corpus README says (loopback addresses,
 * per-case Call-ID/branch/CSeq, CANCEL teardown, Content-Length computed last).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { conformanceDir } from '../../helpers/paths.js';

export interface ProtosCase {
  readonly number: number;
  /** The INVITE PDU with placeholders filled. */
  readonly invite: Buffer;
  /** The teardown (CANCEL) PDU with placeholders filled. */
  readonly teardown: Buffer;
}

export interface ProtosGroup {
  readonly group: string;
  readonly first: number;
  readonly last: number;
}

/** Regular files of a ustar archive: name and bytes. */
export function readTar(tar: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  const field = (h: Buffer, at: number, len: number) => h.toString('latin1', at, at + len).replace(/\0.*$/s, '');
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const prefix = field(h, 345, 155);
    const name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const size = Number.parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = field(h, 156, 1);
    off += 512;
    if (type === '0' || type === '') out.push({ name, data: tar.subarray(off, off + size) });
    off += Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The PDUs of a bugcat file. */
export function splitBugcat(data: Buffer): Buffer[] {
  const pdus: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    const length = Number(data.toString('latin1', at, sp));
    if (sp < 0 || !Number.isInteger(length)) throw new Error(`bad bugcat length at ${at}`);
    pdus.push(data.subarray(sp + 1, sp + 1 + length));
    at = sp + 1 + length;
  }
  return pdus;
}

/** Fills the placeholders of one PDU (README: "Case file format"). */
export function fillPlaceholders(pdu: Buffer, n: number): Buffer {
  const text = pdu
    .toString('latin1')
    .replaceAll('<To>', 'test@127.0.0.1')
    .replaceAll('<From>', 'protos@127.0.0.1')
    .replaceAll('<From-Address>', '127.0.0.1')
    .replaceAll('<From-IP>', '127.0.0.1')
    .replaceAll('<Local-Port>', '5070')
    .replaceAll('<Call-ID>', String(n))
    .replaceAll('<Branch-ID>', String(n))
    .replaceAll('<CSeq>', String(n + 1))
    .replaceAll('<Teardown-Method>', 'CANCEL');
  const sep = text.indexOf('\r\n\r\n');
  const bodyLength = sep < 0 ? 0 : text.length - (sep + 4);
  return Buffer.from(text.replaceAll('<Content-Length>', String(bodyLength)), 'latin1');
}

export function protosCases(): ProtosCase[] {
  const tar = gunzipSync(readFileSync(join(conformanceDir(), 'protos-c07-sip', 'cases.tar.gz')));
  const cases: ProtosCase[] = [];
  for (const f of readTar(tar)) {
    const m = /cases\/([0-9]+)$/.exec(f.name);
    if (!m) continue;
    const n = Number(m[1]);
    const [invite, teardown] = splitBugcat(f.data);
    if (!invite || !teardown) throw new Error(`${f.name}: expected two PDUs`);
    cases.push({ number: n, invite: fillPlaceholders(invite, n), teardown: fillPlaceholders(teardown, n) });
  }
  return cases.sort((a, b) => a.number - b.number);
}

export function protosGroups(): ProtosGroup[] {
  const json = JSON.parse(readFileSync(join(conformanceDir(), 'protos-c07-sip', 'groups.json'), 'utf8')) as {
    groups: ProtosGroup[];
  };
  return json.groups;
}

/** A small deterministic PRNG (mulberry32) so that random splits are reproducible per case. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
