#!/usr/bin/env node
// Adds to package-lock.json the entries of optional, platform-specific packages that `npm install`
// left out, so that `npm ci` accepts the lock. Why: the npm registry this project is built from
// carries only some platforms of @biomejs/cli-*, `npm install` then omits the others from the lock,
// and npm 11 `npm ci` refuses a lock that lacks an optional dependency it knows of
// ("Missing: @biomejs/cli-android-arm64@ from lock file"). Entries for other platforms are never
// downloaded, so their os/cpu/libc (read from the package name) is all they need.
// Run after any `npm install` that rewrites the lock: `node scripts/fix-lock.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32'];
const CPU = ['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 's390x', 'riscv64', 'x64'];

/** os, cpu and libc from a name like cli-linux-x64-musl, or undefined when it names no platform. */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return undefined;
  const libc = parts.includes('musl') ? 'musl' : os === 'linux' ? 'glibc' : undefined;
  return { os, cpu, libc };
}

export function fixLock(lock) {
  const packages = lock.packages;
  const added = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${dep}`;
      if (packages[key]) continue;
      const platform = platformOf(dep);
      if (!platform) continue;
      packages[key] = {
        version,
        cpu: [platform.cpu],
        ...(entry.dev ? { dev: true } : {}),
        ...(platform.libc ? { libc: [platform.libc] } : {}),
        ...(entry.license ? { license: entry.license } : {}),
        optional: true,
        os: [platform.os],
        ...(entry.engines ? { engines: entry.engines } : {}),
      };
      added.push(`${key} (for ${path || 'the root'})`);
    }
  }
  const root = packages[''];
  const rest = Object.entries(packages)
    .filter(([k]) => k !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  lock.packages = { '': root, ...Object.fromEntries(rest) };
  return added;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const path = new URL('../package-lock.json', import.meta.url);
  const lock = JSON.parse(readFileSync(path, 'utf8'));
  const added = fixLock(lock);
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    added.length === 0 ? 'package-lock.json: nothing to add' : `package-lock.json: added\n  ${added.join('\n  ')}`,
  );
}
