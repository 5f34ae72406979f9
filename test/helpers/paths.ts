/** Paths of the repository and of the shared conformance corpus beside the checkout. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared of the workplace (CI has it beside the checkout). SHARED_DIR overrides. */
export function sharedDir(): string {
  const candidates = [process.env.SHARED_DIR, join(repoRoot, '..', 'shared'), '/work/shared'].filter(
    (p): p is string => typeof p === 'string',
  );
  for (const c of candidates) if (existsSync(join(c, 'conformance'))) return c;
  throw new Error(
    `the shared conformance corpus was not found (looked in ${candidates.join(', ')}); set SHARED_DIR to the folder holding conformance/`,
  );
}

export const conformanceDir = (): string => join(sharedDir(), 'conformance');
