/**
 * Compiles the tree with the project's tsc into node_modules/.cache/switchboard-bench-proxy
 * (inside the checkout, so that package imports still resolve) for bench/proxy to run the
 * Switchboard server as plain JavaScript, as deployed: no loader hooks at run time, and CPU
 * profiles with real line numbers. Type errors elsewhere in the tree do not stop the emit; a
 * missing switchboard-server.js does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers/paths.js';

/** The compiled bench/proxy/switchboard-server.js. */
export function compileServer(): string {
  const outDir = join(repoRoot, 'node_modules', '.cache', 'switchboard-bench-proxy');
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', 'tsconfig.json', '--outDir', outDir, '--noEmit', 'false', '--sourceMap', 'false'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const server = join(outDir, 'bench', 'proxy', 'switchboard-server.js');
  if (!existsSync(server)) throw new Error(`tsc did not emit ${server}:\n${r.stdout}${r.stderr}`);
  return server;
}
