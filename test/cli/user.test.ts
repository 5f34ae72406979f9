/**
 * `switchboard user ...` run in-process through main() with captured output, against a
 * temporary SQLite data directory and against a throwaway PostgreSQL server: what it prints,
 * its exit codes, one-line errors, and that what it writes is what the server will read.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommandIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { userCommand } from '../../src/cli/user-command.js';
import { computeAllHa1, openStores } from '../../src/store/index.js';
import { postgresForThisFile } from '../helpers/postgres.js';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function sb(argv: readonly string[], stdin = ''): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    readStdin: async () => Buffer.from(stdin, 'utf8'),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const root = mkdtempSync(join(tmpdir(), 'switchboard-cli-user-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dataDir = (): string => join(root, `d${++n}`);

describe('switchboard user (SQLite)', () => {
  it('adds accounts, lists them with their algorithms, and the store holds the right HA1s', async () => {
    const data = dataDir();
    let r = await sb(['user', 'add', 'alice@Example.COM', '--password', 'wonderland', '--data', data]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[0] ?? '', /^added alice@example\.com \(sqlite .*switchboard\.db\)$/);
    r = await sb(
      ['user', 'add', 'bob', '--domain', 'example.com', '--password-stdin', '--realm', 'corp', '--data', data],
      'builder\n',
    );
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out[0]?.startsWith('added bob@example.com, realm corp'), true);
    r = await sb(['user', 'add', 'carol', '--domain', 'b.example', '--password', 'x', '--disabled', '--data', data]);
    assert.equal(r.code, 0, r.err.join('\n'));

    r = await sb(['user', 'list', '--data', data]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, [
      'USERNAME  DOMAIN                    ENABLED  ALGORITHMS',
      'carol     b.example                 no       MD5,SHA-256,SHA-512-256',
      'alice     example.com               yes      MD5,SHA-256,SHA-512-256',
      'bob       example.com (realm corp)  yes      MD5,SHA-256,SHA-512-256',
    ]);
    r = await sb(['user', 'list', '--domain', 'b.example', '--json', '--data', data]);
    const listed = JSON.parse(r.out.join('\n')) as { username: string; enabled: boolean; algorithms: string[] }[];
    assert.deepEqual(
      listed.map((u) => [u.username, u.enabled, u.algorithms.length]),
      [['carol', false, 3]],
    );
    assert.ok(!r.out.join('').includes(computeAllHa1('carol', 'b.example', 'x').MD5), 'HA1s are never printed');

    const stores = await openStores({ kind: 'sqlite', dataDir: data });
    try {
      assert.equal(
        await stores.users.lookupHa1('bob', 'corp', 'SHA-256'),
        computeAllHa1('bob', 'corp', 'builder')['SHA-256'],
      );
      assert.equal(
        await stores.users.lookupHa1('alice', 'example.com', 'MD5'),
        computeAllHa1('alice', 'example.com', 'wonderland').MD5,
      );
      assert.equal(await stores.users.lookupHa1('carol', 'b.example', 'MD5'), undefined);
    } finally {
      await stores.close();
    }
  });

  it('changes passwords, enables, disables and removes', async () => {
    const data = dataDir();
    await sb(['user', 'add', 'dan@example.com', '--password', 'one', '--data', data]);
    let r = await sb(
      ['user', 'passwd', 'dan@example.com', '--password-stdin', '--data', data],
      'two\r\nignored second line',
    );
    assert.deepEqual([r.code, r.out], [0, ['password changed for dan@example.com']]);
    r = await sb(['user', 'disable', 'dan@example.com', '--data', data]);
    assert.deepEqual([r.code, r.out], [0, ['disabled dan@example.com']]);
    const stores = await openStores({ kind: 'sqlite', dataDir: data });
    try {
      assert.equal((await stores.users.get('dan', 'example.com'))?.enabled, false);
      r = await sb(['user', 'enable', 'dan', '--domain', 'example.com', '--data', data]);
      assert.deepEqual([r.code, r.out], [0, ['enabled dan@example.com']]);
      // The CLI and an open store share the file: the change is visible at once, no reload.
      assert.equal(
        await stores.users.lookupHa1('dan', 'example.com', 'MD5'),
        computeAllHa1('dan', 'example.com', 'two').MD5,
      );
      r = await sb(['user', 'remove', 'dan@example.com', '--data', data]);
      assert.deepEqual([r.code, r.out], [0, ['removed dan@example.com']]);
      assert.equal(await stores.users.get('dan', 'example.com'), undefined);
    } finally {
      await stores.close();
    }
  });

  it('fails with exit 1 and one line when the operation cannot be done', async () => {
    const data = dataDir();
    await sb(['user', 'add', 'erin@example.com', '--password', 'x', '--data', data]);
    const cases: [string[], RegExp][] = [
      [['user', 'add', 'erin@example.com', '--password', 'y'], /^user add: user erin@example\.com already exists$/],
      [['user', 'remove', 'nobody@example.com'], /^user remove: no user nobody@example\.com$/],
      [['user', 'passwd', 'nobody@example.com', '--password', 'p'], /^user passwd: no user nobody@example\.com$/],
      [['user', 'enable', 'nobody@example.com'], /^user enable: no user nobody@example\.com$/],
    ];
    for (const [argv, line] of cases) {
      const r = await sb([...argv, '--data', data]);
      assert.equal(r.code, 1, argv.join(' '));
      assert.equal(r.err.length, 1, argv.join(' '));
      assert.match(r.err[0] ?? '', line);
    }
    const r = await sb(['user', 'list', '--db', 'postgres://postgres@127.0.0.1:1/none']);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0] ?? '', /^user list: cannot open postgres 127\.0\.0\.1:1\/none/);
  });

  it('rejects bad command lines with exit 2, one line naming the problem, and touches no disk', async () => {
    const data = dataDir();
    const cases: [string[], string, RegExp][] = [
      [
        ['user', 'frobnicate'],
        '',
        /^user: unknown action "frobnicate" \(try: add, list, remove, passwd, enable, disable\)$/,
      ],
      [['user', 'add', 'x@example.com'], '', /^user add: a password is needed \(--password P or --password-stdin\)$/],
      [['user', 'add', 'x@example.com', '--password-stdin'], '\n', /^user add: the password is empty$/],
      [['user', 'add', 'x@example.com', '--password', 'a', '--password-stdin'], 'b', /not both/],
      [['user', 'add', '--password', 'a'], '', /^user add: which user\?/],
      [['user', 'add', 'a', 'b', '--password', 'a'], '', /^user add: one user at a time, got 2$/],
      [['user', 'add', 'x@a.example', '--domain', 'b.example', '--password', 'p'], '', /name different domains/],
      [['user', 'add', 'x@bad_domain!', '--password', 'p'], '', /^user add: domain: /],
      [['user', 'add', 'x y@example.com', '--password', 'p'], '', /^user add: username: /],
      [['user', 'add', 'x@example.com', '--pass', 'p'], '', /^user: unknown option --pass$/],
      [['user', 'add', 'x@example.com', '--password'], '', /^user: --password needs a value$/],
      [['user', 'remove', 'x@example.com', '--json'], '', /^user remove: --json does not apply to remove$/],
      [['user', 'list', 'extra'], '', /^user list: unexpected argument "extra"$/],
    ];
    for (const [argv, stdin, line] of cases) {
      const r = await sb([...argv, '--data', data], stdin);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err.length, 1, `${argv.join(' ')}: ${r.err.join(' / ')}`);
      assert.match(r.err[0] ?? '', line, argv.join(' '));
      assert.deepEqual(r.out, []);
    }
    const both = await sb(['user', 'list', '--db', 'postgres://h/d', '--data', data]);
    assert.deepEqual([both.code, both.err], [2, ['user list: --db: give either --db or --data, not both']]);
    const mysql = await sb(['user', 'list', '--db', 'mysql://h/d']);
    assert.equal(mysql.code, 2);
    assert.match(
      mysql.err.join('\n'),
      /^user list: --db: expected a postgres:\/\/user:password@host:port\/database URL, not "mysql:\/\/h\/d"$/,
    );
    assert.ok(!existsSync(data), 'a refused command line creates no data directory');
  });

  it('prints usage for `user` (exit 2) and `user --help` (exit 0), and is listed by `switchboard --help`', async () => {
    let r = await sb(['user']);
    assert.equal(r.code, 2);
    assert.match(r.out.join('\n'), /^usage: switchboard user <action>/);
    r = await sb(['user', '--help']);
    assert.equal(r.code, 0);
    r = await sb(['user', 'add', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.out.join('\n'), /--password-stdin/);
    r = await sb(['--help']);
    assert.match(r.out.join('\n'), /switchboard user add\|list\|remove/);
  });

  it('uses $SWITCHBOARD_DATA and $SWITCHBOARD_DOMAIN when no option says otherwise', async () => {
    const data = dataDir();
    const io: CommandIO & { out: string[] } = {
      out: [],
      stdout(l) {
        this.out.push(l);
      },
      stderr: () => undefined,
      readStdin: async () => Buffer.alloc(0),
    };
    const env = { SWITCHBOARD_DATA: data, SWITCHBOARD_DOMAIN: 'pbx.example' };
    assert.equal(await userCommand(['add', 'frank', '--password', 'p'], io, env), 0);
    assert.match(io.out[0] ?? '', /^added frank@pbx\.example \(sqlite .*\/d\d+\/switchboard\.db\)$/);
    assert.equal(await userCommand(['add', 'grace', '--password', 'p'], io, { SWITCHBOARD_DATA: data }), 0);
    assert.match(io.out[1] ?? '', /^added grace@localhost /);
    assert.equal(await userCommand(['list'], io, { SWITCHBOARD_DATA: data }), 0);
    assert.equal(io.out.length, 2 + 3);
  });

  it('says so on stderr when there are no users, keeping stdout empty for scripts', async () => {
    const r = await sb(['user', 'list', '--data', dataDir()]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, []);
    assert.match(r.err[0] ?? '', /^no users \(sqlite /);
  });
});

describe('switchboard user --db (PostgreSQL)', () => {
  const server = postgresForThisFile();

  it('manages accounts in a shared PostgreSQL database, in the schema named by ?schema=', async () => {
    const url = `${server.url}?schema=${server.freshSchema()}`;
    let r = await sb(['user', 'add', 'alice@example.com', '--password', 'wonderland', '--db', url]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[0] ?? '', /^added alice@example\.com \(postgres 127\.0\.0\.1:\d+\/postgres schema t\d+_\d+\)$/);
    r = await sb(['user', 'list', '--db', url]);
    assert.deepEqual(r.out.slice(1), ['alice     example.com  yes      MD5,SHA-256,SHA-512-256']);
    r = await sb(['user', 'passwd', 'alice@example.com', '--password', 'looking-glass', '--db', url]);
    assert.equal(r.code, 0);
    const schema = new URL(url).searchParams.get('schema') as string;
    const stores = await openStores({ kind: 'postgres', connectionString: server.url, schema });
    try {
      assert.equal(
        await stores.users.lookupHa1('alice', 'example.com', 'SHA-512-256'),
        computeAllHa1('alice', 'example.com', 'looking-glass')['SHA-512-256'],
      );
    } finally {
      await stores.close();
    }
    r = await sb(['user', 'remove', 'alice@example.com', '--db', url]);
    assert.deepEqual([r.code, r.out], [0, ['removed alice@example.com']]);
  });
});
