#!/usr/bin/env node
// `npm test`: type check, lint, then every test under test/ with node:test (TypeScript loaded by
// tsx). Arguments narrow the run to test files whose path contains one of them, and skip the type
// check and lint: `npm test -- test/sip transaction`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function run(cmd, args) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}) after ${secs}s`);
    process.exit(r.status ?? 1);
  }
  console.log(`# ${[cmd, ...args].join(' ').slice(0, 80)}: ok in ${secs}s`);
}

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

const bin = join(root, 'node_modules', '.bin');
if (filters.length === 0) {
  run(join(bin, 'tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  run(join(bin, 'biome'), ['check', ...['src', 'test', 'bench', 'scripts'].filter((d) => existsSync(join(root, d)))]);
}
let files = testFiles(join(root, 'test'));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = String(Math.max(2, availableParallelism()));
run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-timeout=120000',
  ...files,
]);
