/**
 * `switchboard parse`: run in-process through main() with a capturing CommandIO over every
 * corpus message (exit code as the manifest's `parser` verdict says: accept 0, reject and
 * reject-allowed 1 with one line naming the problem and the status), the --json shape, standard
 * input, bad command lines (exit 2, one line), and a few real runs of bin/switchboard.js.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { CommandIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { repoRoot } from '../helpers/paths.js';
import { corpusEntries, corpusEntry, statusesNamed } from '../sip/support/corpus.js';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(args: readonly string[], stdin: Buffer = Buffer.alloc(0)): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = {
    stdout: (line) => out.push(...line.split('\n')),
    stderr: (line) => err.push(...line.split('\n')),
    readStdin: async () => stdin,
  };
  const code = await main(args, io);
  return { code, out, err };
}

const STATUS_LINE = /(would answer [1-6][0-9]{2} [A-Z]|would be dropped|nothing can be answered)/;

describe('switchboard parse over the corpus', () => {
  for (const e of corpusEntries()) {
    it(`${e.id}: exit ${e.parser === 'accept' ? 0 : 1} (${e.parser})`, async () => {
      const r = await run(['parse', e.path]);
      assert.deepEqual(r.err, []);
      if (e.parser === 'accept') {
        assert.equal(r.code, 0, r.out.join('\n'));
        const first =
          readFileSync(e.path, 'latin1')
            .replace(/^[\r\n]+/, '')
            .split(/\r?\n/)[0] ?? '';
        assert.equal(r.out[0]?.split(' ')[0], first.split(' ')[0]);
        assert.match(r.out.at(-1) ?? '', /^Verdict: /);
        return;
      }
      assert.equal(r.code, 1);
      assert.equal(r.out.length, 1, 'one line');
      const line = r.out[0] ?? '';
      assert.match(line, STATUS_LINE);
      const allowed = [e.expectedResponse, ...e.alternatives.flatMap(statusesNamed)].filter((s) => s !== null);
      if (allowed.length > 0) {
        assert.ok(
          allowed.some((s) => line.includes(`would answer ${s} `)),
          `${line} names one of ${allowed.join(', ')}`,
        );
      }
    });
  }
});

describe('switchboard parse output', () => {
  it('shows the start line, transaction, dialog, raw and typed headers, body and verdict', async () => {
    const r = await run(['parse', corpusEntry('rfc4475/wsinv').path]);
    const text = r.out.join('\n');
    assert.equal(r.out[0], 'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0');
    assert.match(text, /Transaction: branch 390skdjuw from UDP 192\.0\.2\.2, CSeq 9 INVITE/);
    assert.match(
      text,
      /Dialog: Call-ID wsinv\.ndaksdj@192\.0\.2\.1, From tag 98asjd8, To tag 1918181833n: in a dialog/,
    );
    assert.match(text, /\n {4}v: SIP {2}\/ 2\.0 {2}\/ TCP .*\[= Via\]/);
    assert.match(text, /NewFangledHeader: newfangled value continued newfangled value {3}\[unknown header, kept raw\]/);
    assert.match(text, /Via\[2\] +UDP 192\.168\.255\.111 branch=z9hG4bK30239/);
    assert.match(text, /Contact +display="Quoted string \\"\\"" uri=<sip:jdrosen@example\.com> newparam=newvalue/);
    assert.match(text, /Body: 150 bytes application\/sdp\n {4}v=0/);
    assert.match(text, /Note: the top Via branch "390skdjuw" lacks the z9hG4bK magic cookie/);
    assert.match(text, /Verdict: well-formed; a uas would process it$/);
  });

  it('lists the parts of a multipart body and notes ignored trailing bytes', async () => {
    const mp = (await run(['parse', corpusEntry('rfc4475/mpart01').path])).out.join('\n');
    assert.match(
      mp,
      /Body: 553 bytes multipart\/mixed, 2 parts \(boundary "7a9cbec02ceef655"\)\n {4}part 1: text\/plain/,
    );
    const dbl = (await run(['parse', corpusEntry('rfc4475/dblreq').path])).out.join('\n');
    assert.match(dbl, /Note: 450 bytes after the body were ignored \(Content-Length 0, section 18\.3\)/);
    const old = (await run(['parse', corpusEntry('rfc4475/inv2543').path])).out.join('\n');
    assert.match(old, /Note: no Content-Length/);
    assert.match(old, /Note: no Max-Forwards/);
  });

  it('shows control characters as \\xHH, never raw', async () => {
    const text = (await run(['parse', corpusEntry('rfc4475/intmeth').path])).out.join('\n');
    assert.match(text, /BEL:\\\\x07 NUL:\\\\x00 DEL:\\\\x7f/);
    assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('names what a server answers, for the chosen role, with the headers it adds', async () => {
    const zeromf = corpusEntry('rfc4475/zeromf').path;
    assert.match((await run(['parse', zeromf])).out.at(-1) ?? '', /a uas would process it/);
    assert.match(
      (await run(['parse', zeromf, '--role', 'proxy'])).out.at(-1) ?? '',
      /a proxy would answer 483 Too Many Hops/,
    );
    const bext = (await run(['parse', corpusEntry('rfc4475/bext01').path])).out.at(-1) ?? '';
    assert.match(bext, /420 Bad Extension .* with Unsupported: nothingSupportsThis, nothingSupportsThisEither/);
  });

  it('prints JSON with --json', async () => {
    const r = await run(['parse', '--json', corpusEntry('rfc4475/invut').path]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out.join('\n'));
    assert.equal(j.ok, true);
    assert.equal(j.kind, 'request');
    assert.equal(j.method, 'INVITE');
    assert.equal(j.uri.scheme, 'sip');
    assert.equal(j.uri.host, 'example.com');
    assert.equal(typeof j.transaction.branch, 'string');
    assert.ok(Array.isArray(j.headers) && j.headers.length > 5);
    const via = j.headers.find((h: { canonical: string }) => h.canonical === 'Via');
    assert.equal(via.known, true);
    assert.equal(via.rfc, 'RFC 3261');
    assert.equal(typeof via.raw, 'string');
    assert.equal(via.value[0].transport, 'UDP');
    assert.equal(j.body.contentType, 'application/unknownformat');
    assert.equal(
      j.body.length,
      Number(j.headers.find((h: { canonical: string }) => h.canonical === 'Content-Length').value),
    );
    assert.equal(j.serverWouldAnswer.status, 415);
    assert.equal(j.serverWouldAnswer.role, 'uas');
    assert.equal(j.serverWouldAnswer.headers[0].name, 'Accept');
    assert.ok(Array.isArray(j.notes));
  });

  it('prints one JSON line for a message that cannot be parsed', async () => {
    const r = await run(['parse', '--json', corpusEntry('rfc4475/badvers').path]);
    assert.equal(r.code, 1);
    assert.equal(r.out.length, 1);
    assert.deepEqual(JSON.parse(r.out[0] ?? ''), {
      ok: false,
      kind: 'request',
      error: 'SIP version 7.0 is not supported',
      status: 505,
    });
    const res = await run(['parse', '--json', corpusEntry('rfc4475/bigcode').path]);
    assert.equal(JSON.parse(res.out[0] ?? '').kind, 'response');
    assert.equal(JSON.parse(res.out[0] ?? '').status, null);
  });

  it('reads standard input for "-" and when no file is given', async () => {
    const bytes = readFileSync(corpusEntry('rfc4475/esc01').path);
    for (const args of [['parse', '-'], ['parse']]) {
      const r = await run(args, bytes);
      assert.equal(r.code, 0);
      assert.equal(r.out[0], bytes.toString('latin1').split('\r\n')[0]);
    }
    const empty = await run(['parse', '-'], Buffer.alloc(0));
    assert.equal(empty.code, 1);
    assert.match(empty.out[0] ?? '', /^unparseable message: empty message; nothing can be answered$/);
  });
});

describe('switchboard parse: bad command lines', () => {
  const cases: readonly [string[], RegExp][] = [
    [['parse', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['parse', 'a.dat', 'b.dat'], /one file at most/],
    [['parse', '/nonexistent/x.dat'], /\/nonexistent\/x\.dat: no such file/],
    [['parse', repoRoot], /is a directory/],
    [['parse', '--role', 'b2bua', '-'], /--role must be uas, proxy or registrar/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ];
  for (const [args, why] of cases) {
    it(`${args.join(' ')}: exit 2 with one line`, async () => {
      const r = await run(args);
      assert.equal(r.code, 2);
      assert.deepEqual(r.out, []);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0] ?? '', why);
    });
  }

  it('no command prints the usage and exits 2', async () => {
    const r = await run([]);
    assert.equal(r.code, 2);
    assert.match(r.out.join('\n'), /usage: switchboard <command>/);
  });
});

describe('bin/switchboard.js', () => {
  const exec = promisify(execFile);
  const bin = join(repoRoot, 'bin', 'switchboard.js');
  const options = { cwd: repoRoot, timeout: 60_000 };

  it('exits 0 and prints the message for an accepted file', async () => {
    const { stdout } = await exec(process.execPath, [bin, 'parse', corpusEntry('rfc5118/ipv6-good').path], options);
    assert.match(stdout, /^REGISTER sip:\[2001:db8::10\] SIP\/2\.0\n/);
    assert.match(stdout, /Verdict: well-formed/);
  });

  it('exits 1 with one line for a rejected file', async () => {
    await assert.rejects(
      exec(process.execPath, [bin, 'parse', corpusEntry('rfc4475/mismatch02').path], options),
      (err: unknown) => {
        const e = err as { code: number; stdout: string };
        assert.equal(e.code, 1);
        assert.equal(
          e.stdout,
          'unparseable request: CSeq method INVITE does not match the request method NEWMETHOD; a server would answer 501 Not Implemented\n',
        );
        return true;
      },
    );
  });

  it('reads a message from standard input', async () => {
    const child = execFile(process.execPath, [bin, 'parse', '--json', '-'], options);
    const done = new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.on('close', (code) => resolve({ code, out }));
    });
    child.stdin?.end(readFileSync(corpusEntry('rfc4475/unreason').path));
    const { code, out } = await done;
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.equal(j.kind, 'response');
    assert.equal(j.status, 200);
    assert.ok(j.reason.includes('сто девяносто девять'));
  });
});
