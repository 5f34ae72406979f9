/**
 * `npm ci` must work on a fresh clone (it is how CI and a newcomer install). npm 11 refuses a lock
 * that lacks an optional dependency it knows of, and this project's registry carries only some
 * platforms of @biomejs/cli-*, so a plain `npm install` leaves such entries out: this test fails
 * then, and `node scripts/fix-lock.mjs` mends the lock.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers/paths.js';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as LockEntry;

describe('package-lock.json', () => {
  it('records the dependencies of package.json as written', () => {
    const root = lock.packages[''] ?? {};
    assert.deepEqual(root.dependencies, manifest.dependencies, 'run npm install, then node scripts/fix-lock.mjs');
    assert.deepEqual(root.devDependencies, manifest.devDependencies, 'run npm install, then node scripts/fix-lock.mjs');
  });

  it('has an entry for every optional dependency of every package (npm ci refuses the lock otherwise)', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        if (!lock.packages[`node_modules/${dep}`] && !lock.packages[`${path}/node_modules/${dep}`]) {
          missing.push(`${dep} (of ${path || 'the root'})`);
        }
      }
    }
    assert.deepEqual(missing, [], 'run node scripts/fix-lock.mjs');
  });
});
