/**
 * The SIPp helper itself: a missing sipp fails with the install command (never a skip), and the
 * TLS capability is read from the version banner.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { SIPP_MISSING, sipp } from '../helpers/sipp.js';

describe('test/helpers/sipp.ts', () => {
  it('fails with the install command when sipp is not installed', () => {
    const script =
      "import('./test/helpers/sipp.ts').then((m) => { try { m.sipp(); console.log('found'); } catch (e) { console.log(e.message); } })";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, SIPP: '/nonexistent/sipp' },
    });
    assert.equal(r.stdout.trim(), SIPP_MISSING, r.stderr);
    assert.match(SIPP_MISSING, /scripts\/install-peers\.sh \(Debian package sip-tester\)/);
  });

  it('finds the installed sipp and reads its features from the banner', () => {
    const found = sipp();
    assert.match(found.version, /^SIPp v\d+\.\d+/);
    assert.equal(found.tls, /TLS/.test(found.version));
  });
});
