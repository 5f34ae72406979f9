/**
 * Compiles the tree with the project's tsc into node_modules/.cache (inside the checkout, so that
 * package imports still resolve) for bench/transactions to run the UAS as plain JavaScript: no
 * loader hooks at run time, and CPU profiles with real line numbers. Type errors elsewhere in the
 * tree do not stop the emit; a missing uas-server.js does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/paths.js';

export function compileForBench(): string {
  const outDir = join(repoRoot, 'node_modules', '.cache', 'switchboard-bench-transactions');
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', 'tsconfig.json', '--outDir', outDir, '--noEmit', 'false', '--sourceMap', 'false'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const server = join(outDir, 'bench', 'transactions', 'uas-server.js');
  if (!existsSync(server)) throw new Error(`tsc did not emit ${server}:\n${r.stdout}${r.stderr}`);
  return outDir;
}
