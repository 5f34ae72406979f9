/**
 * `switchboard phone` as processes: two phones started with `node bin/switchboard.js phone
 * --json`, driven over standard input, checked by their JSON event lines: a call, then a blind
 * transfer to a third phone (in this process), and a clean quit. Also: a bad setting stops
 * start-up with one line naming it.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { phoneCommand } from '../../../src/cli/phone-command.js';
import { Phone } from '../../../src/roles/phone/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../scenarios/harness.js';

type Json = Record<string, unknown> & { event: string };

class PhoneProcess {
  readonly events: Json[] = [];
  readonly stderr: string[] = [];
  exitCode: number | null | undefined;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [join(repoRoot, 'bin', 'switchboard.js'), 'phone', '--json', ...args], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as Json);
      } catch {
        assert.fail(`not a JSON line on stdout: ${line}`);
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
    this.child.on('exit', (code) => {
      this.exitCode = code;
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async event(what: string, pred: (e: Json) => boolean, timeoutMs = 20_000): Promise<Json> {
    let found: Json | undefined;
    await waitFor(
      `${what} (saw: ${this.events.map((e) => e.event).join(', ')}; stderr: ${this.stderr.join(' | ')})`,
      () => {
        found = this.events.find(pred);
        return found !== undefined;
      },
      timeoutMs,
    );
    return found as Json;
  }

  async exited(timeoutMs = 15_000): Promise<number | null> {
    await waitFor('the process to exit', () => this.exitCode !== undefined, timeoutMs);
    return this.exitCode ?? null;
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
  }
}

const near = (tones: unknown, hz: number): boolean =>
  Array.isArray(tones) && tones.length === 1 && Math.abs(Number(tones[0]) - hz) <= 20;

const procs: PhoneProcess[] = [];
after(() => {
  for (const p of procs) p.kill();
});

describe('switchboard phone (processes)', () => {
  it('calls, transfers blind and quits, reporting JSON events', async () => {
    const a = new PhoneProcess(['--user', 'alice', '--port', '0', '--tone', '440']);
    const b = new PhoneProcess(['--user', 'bob', '--port', '0', '--tone', '1000', '--auto-answer', '200']);
    procs.push(a, b);
    const carol = await Phone.start({ user: 'carol', port: 0, autoAnswer: 200, audio: { source: { tone: 1700 } } });
    try {
      const aStarted = await a.event('A started', (e) => e.event === 'started');
      const bStarted = await b.event('B started', (e) => e.event === 'started');
      assert.match(String(aStarted['contact']), /^sip:alice@127\.0\.0\.1:\d+$/);
      a.send(`dial ${String(bStarted['contact'])}`);
      const dialled = await a.event('the dial result', (e) => e.event === 'result' && e['command'] === 'dial');
      assert.equal(dialled['ok'], true);
      assert.equal(dialled['state'], 'dialing');
      const up = await a.event('A established', (e) => e.event === 'established');
      assert.equal(up['call'], dialled['call']);
      assert.match(String(up['remote']), /sip:bob@/);
      await b.event('B incoming', (e) => e.event === 'incoming' && String(e['remote']).includes('sip:alice@'));
      // Media events say what is sent and what is heard.
      const heard = await a.event(
        'A hears 1000 Hz',
        (e) => e.event === 'media' && near((e['receiving'] as Json).tones, 1000),
      );
      assert.equal(heard['sending'], 'tone 440 Hz');
      await b.event('B hears 440 Hz', (e) => e.event === 'media' && near((e['receiving'] as Json).tones, 440));
      // Blind transfer of A to carol, typed on B.
      b.send(`transfer ${carol.uri}`);
      const done = await b.event('B transfer completed', (e) => e.event === 'transfer' && e['phase'] === 'completed');
      assert.equal(done['role'], 'transferor');
      assert.equal(done['status'], 200);
      await b.event('B call ended', (e) => e.event === 'ended');
      const accepted = await a.event('A transfer accepted', (e) => e.event === 'transfer' && e['phase'] === 'accepted');
      assert.equal(accepted['role'], 'transferee');
      assert.equal(accepted['target'], carol.uri);
      await a.event('A hears carol', (e) => e.event === 'media' && near((e['receiving'] as Json).tones, 1700));
      a.send('calls');
      const calls = await a.event('the call list', (e) => e.event === 'result' && e['command'] === 'calls');
      const list = calls['calls'] as Json[];
      assert.equal(list.length, 1);
      assert.match(String(list[0]?.['remote']), /sip:carol@/);
      a.send('quit');
      b.send('quit');
      assert.equal(await a.exited(), 0);
      assert.equal(await b.exited(), 0);
      assert.ok(a.events.some((e) => e.event === 'stopped'));
      await waitFor('carol to be left alone', () => carol.active().length === 0);
    } finally {
      await carol.stop();
    }
  });

  it('stops at start-up on a bad setting with one line naming it', async () => {
    const p = new PhoneProcess(['--user', 'alice', '--port', '0', '--proxy', 'sip:ok.example', '--proxy', 'nope']);
    procs.push(p);
    assert.equal(await p.exited(), 2);
    assert.deepEqual(p.stderr, ['phone: proxies[1]: not a SIP URI']);
    assert.deepEqual(p.events, []);
  });
});

/** Lines pushed by the test, read by the command as if typed. */
class LineQueue implements AsyncIterable<string> {
  private readonly waiting: ((r: IteratorResult<string>) => void)[] = [];
  private readonly queued: string[] = [];

  push(line: string): void {
    const w = this.waiting.shift();
    if (w) w({ value: line, done: false });
    else this.queued.push(line);
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const line = this.queued.shift();
        if (line !== undefined) return Promise.resolve({ value: line, done: false });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
    };
  }
}

describe('switchboard phone (in process): check-sync', () => {
  it('reloads the config file on check-sync and restarts on reboot=true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phone-cli-'));
    const file = join(dir, 'phone.yaml');
    writeFileSync(file, 'user: dave\nport: 0\n');
    const out: Json[] = [];
    const lines = new LineQueue();
    const caller = await Phone.start({ user: 'xavier', port: 0 });
    try {
      const done = phoneCommand(
        ['--config', file, '--json'],
        {
          stdout: (l) => out.push(JSON.parse(l) as Json),
          stderr: (l) => assert.fail(`stderr: ${l}`),
          readStdin: async () => Buffer.alloc(0),
        },
        { lines, until: new Promise(() => {}) },
      );
      const started = () => out.filter((e) => e.event === 'started');
      await waitFor('the phone to start', () => started().length === 1);
      const contact = String(started()[0]?.['contact']);
      // The provisioning server changed the file: do not disturb. check-sync reloads it.
      writeFileSync(file, 'user: dave\nport: 0\ndnd: true\n');
      const n1 = await caller.ua.request('NOTIFY', contact, { headers: [['Event', 'check-sync;reboot=false']] });
      assert.equal(n1.status, 200);
      await waitFor('the check-sync event', () => out.some((e) => e.event === 'check-sync'));
      const dial = await caller.dial(contact);
      assert.ok(dial.ok);
      await waitFor('the call to be refused', () => caller.active().length === 0);
      assert.ok(
        out.some((e) => e.event === 'ended' && e['reason'] === 'dnd'),
        'dnd came from the reloaded file',
      );
      // reboot=true: the phone stops and starts again.
      const n2 = await caller.ua.request('NOTIFY', contact, { headers: [['Event', 'check-sync;reboot=true']] });
      assert.equal(n2.status, 200);
      await waitFor('a restart', () => started().length === 2);
      const stoppedAt = out.findIndex((e) => e.event === 'stopped');
      assert.ok(stoppedAt >= 0 && stoppedAt < out.lastIndexOf(started()[1] as Json));
      lines.push('quit');
      assert.equal(await done, 0);
      assert.equal(out.at(-1)?.event, 'stopped');
    } finally {
      await caller.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
