/**
 * The layering of docs/architecture.md, checked on the source tree so that the picture stays
 * true: imports point down only, another layer is reached through its index.ts, sdp/ and media/
 * never import SIP code, timers go through the injected Clock (no setTimeout/setInterval outside
 * src/util), and no `any` appears in the code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers/paths.js';

const SRC = join(repoRoot, 'src');

/** What each layer may import (besides itself). util is below everything. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  util: [],
  sip: ['util'],
  sdp: ['util'],
  media: ['sdp', 'util'],
  transport: ['sip', 'util'],
  transaction: ['transport', 'sip', 'util'],
  dialog: ['sip', 'util'],
  auth: ['sip', 'util'],
  store: ['auth', 'sip', 'util'],
  ua: ['dialog', 'transaction', 'transport', 'sip', 'util'],
  'roles/proxy': ['auth', 'store', 'transaction', 'transport', 'sip', 'util'],
  'roles/registrar': ['roles/proxy', 'auth', 'store', 'transaction', 'transport', 'sip', 'util'],
  'roles/server': ['roles/proxy', 'roles/registrar', 'auth', 'store', 'transaction', 'transport', 'sip', 'util'],
  'roles/phone': ['ua', 'media', 'sdp', 'auth', 'dialog', 'transaction', 'transport', 'sip', 'util'],
  'roles/autoanswer': ['ua', 'dialog', 'transaction', 'transport', 'sdp', 'sip', 'util'],
  cli: [
    'roles/server',
    'roles/phone',
    'roles/autoanswer',
    'roles/proxy',
    'roles/registrar',
    'store',
    'auth',
    'media',
    'sdp',
    'ua',
    'transaction',
    'transport',
    'sip',
    'util',
  ],
};

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function layerOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts[0] === 'roles' ? `roles/${parts[1]}` : (parts[0] as string);
}

const sources = files(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8'), layer: layerOf(path) }));

function imports(text: string): string[] {
  return [...text.matchAll(/\bfrom '(\.[^']+)'/g)].map((m) => m[1] as string);
}

describe('architecture', () => {
  it('knows every layer of the tree', () => {
    const unknown = [...new Set(sources.map((s) => s.layer))].filter((l) => !(l in ALLOWED));
    assert.deepEqual(unknown, [], 'add new layers to ALLOWED (and to docs/architecture.md)');
  });

  it('imports point down, and another layer is reached through its index.ts (util excepted)', () => {
    const problems: string[] = [];
    for (const s of sources) {
      for (const spec of imports(s.text)) {
        const target = normalize(join(dirname(s.path), spec));
        const layer = layerOf(target);
        if (layer === s.layer) continue;
        const where = `${relative(repoRoot, s.path)} imports ${spec}`;
        if (!(ALLOWED[s.layer] ?? []).includes(layer)) problems.push(`${where}: ${s.layer} may not import ${layer}`);
        else if (layer !== 'util' && !target.endsWith('/index.js')) problems.push(`${where}: use ${layer}/index.js`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('keeps timers behind the injected Clock: no setTimeout or setInterval outside src/util', () => {
    const offenders = sources
      .filter((s) => s.layer !== 'util' && /\bset(Timeout|Interval)\s*\(/.test(s.text))
      .map((s) => relative(repoRoot, s.path));
    assert.deepEqual(offenders, []);
  });

  it('has no `any` in the code', () => {
    const offenders: string[] = [];
    for (const s of sources) {
      const code = s.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      if (/(:\s*any\b|<any>|\bas any\b|any\[\])/.test(code)) offenders.push(relative(repoRoot, s.path));
    }
    assert.deepEqual(offenders, []);
  });
});
