/**
 * The phone's settings: defaults, one-line errors naming the field, YAML files with relative
 * paths, and the three forms of a dial plan.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadPhoneConfigFile, parsePhoneConfig } from '../../../src/roles/phone/index.js';
import { ConfigError } from '../../../src/util/index.js';

const dir = mkdtempSync(join(tmpdir(), 'phone-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    return err.message;
  }
  assert.fail('no error');
}

describe('phone settings', () => {
  it('fills in the defaults of a desk phone', () => {
    const c = parsePhoneConfig({ user: 'alice' });
    assert.equal(c.port, 5060);
    assert.equal(c.callWaiting, true);
    assert.equal(c.dnd, false);
    assert.equal(c.autoAnswerMs, null);
    assert.equal(c.holdStyle, 'rfc3264');
    assert.equal(c.transferStyle, 'refer');
    assert.equal(c.byeAlsoFallback, true);
    assert.deepEqual(c.codecs, ['PCMU', 'PCMA']);
    assert.deepEqual(c.audio.source, { kind: 'tone', frequency: 440, level: -10 });
    assert.deepEqual(c.timers, { t1: 500, t2: 4000, t4: 5000 });
    assert.deepEqual(c.dialPlan, []);
    assert.equal(parsePhoneConfig({ user: 'a', autoAnswer: true }).autoAnswerMs, 0);
    assert.equal(parsePhoneConfig({ user: 'a', autoAnswer: 750 }).autoAnswerMs, 750);
  });

  it('names the bad field in one line', () => {
    assert.equal(
      message(() => parsePhoneConfig({ user: 'a', proxies: ['sip:p1.example.com', 'p2'] })),
      'proxies[1]: not a SIP URI',
    );
    assert.equal(
      message(() => parsePhoneConfig({ user: 'a', port: 70000 })),
      'port: Too big: expected number to be <=65535',
    );
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', holdStyle: 'old' })),
      /^holdStyle: /,
    );
    assert.equal(
      message(() => parsePhoneConfig({ user: 'a', colour: 'red' })),
      '(config): unknown setting "colour"',
    );
    assert.match(
      message(() => parsePhoneConfig({})),
      /^user: /,
    );
    assert.equal(
      message(() => parsePhoneConfig({ user: 'a b' })),
      'user: not a valid SIP user name',
    );
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', audio: { source: { tone: 9000 } } })),
      /^audio\.source/,
    );
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', rtp: { portMin: 20000 } })),
      /^rtp: portMin and portMax go together/,
    );
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', codecs: ['G729'] })),
      /^codecs\[0\]: /,
    );
  });

  it('reads a YAML file, resolves its file names against its directory, takes a dial plan file', () => {
    writeFileSync(
      join(dir, 'dialplan.xml'),
      '<DIALTEMPLATE><TEMPLATE MATCH="911" Timeout="0" Route="emergency"/><TEMPLATE MATCH="*" Timeout="3"/></DIALTEMPLATE>',
    );
    writeFileSync(
      join(dir, 'phone.yaml'),
      [
        'user: "2001"',
        'domain: example.com',
        'password: secret',
        'proxies: [sip:10.0.0.1, sip:10.0.0.2]',
        'emergencyProxy: sip:10.0.0.9',
        'holdStyle: rfc2543',
        'autoAnswer: 250',
        'audio:',
        '  source: { wav: prompts/hello.wav }',
        '  record: rec/heard.wav',
        'dialPlan: dialplan.xml',
        '',
      ].join('\n'),
    );
    const c = loadPhoneConfigFile(join(dir, 'phone.yaml'), { port: 0 });
    assert.equal(c.user, '2001');
    assert.equal(c.port, 0);
    assert.deepEqual(c.proxies, ['sip:10.0.0.1', 'sip:10.0.0.2']);
    assert.equal(c.autoAnswerMs, 250);
    assert.deepEqual(c.audio.source, { kind: 'wav', path: join(dir, 'prompts/hello.wav'), loop: true });
    assert.equal(c.audio.record, join(dir, 'rec/heard.wav'));
    assert.deepEqual(
      c.dialPlan.map((t) => [t.match, t.route]),
      [
        ['911', 'emergency'],
        ['*', 'default'],
      ],
    );
  });

  it('takes a dial plan as a list, or as XML text, and reports a bad template', () => {
    const list = parsePhoneConfig({ user: 'a', dialPlan: [{ match: '9.T', route: 'emergency' }] });
    assert.deepEqual(list.dialPlan, [{ match: '9.T', route: 'emergency', timeout: 0 }]);
    const xml = parsePhoneConfig({ user: 'a', dialPlan: '<DIALTEMPLATE><TEMPLATE MATCH="1."/></DIALTEMPLATE>' });
    assert.equal(xml.dialPlan[0]?.match, '1.');
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', dialPlan: [{ match: '1', route: 'x' }] })),
      /^dialPlan\[0\]\.route: /,
    );
    assert.match(
      message(() => parsePhoneConfig({ user: 'a', dialPlan: join(dir, 'missing.xml') })),
      /^dialPlan: cannot read/,
    );
  });

  it('refuses a config file that is not a mapping, or not there', () => {
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    assert.match(
      message(() => loadPhoneConfigFile(join(dir, 'list.yaml'))),
      /must hold a mapping/,
    );
    assert.match(
      message(() => loadPhoneConfigFile(join(dir, 'nope.yaml'))),
      /cannot read .*ENOENT/,
    );
  });
});
