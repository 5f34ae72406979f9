/**
 * The phone's features one by one, between phones in this process over UDP on 127.0.0.1: do not
 * disturb, lines, rejection, auto-answer, DTMF, codecs, WAV source and recording, OPTIONS,
 * check-sync, the RFC 3264 hold style, and the text commands.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { encodeWav, parseWav, ToneDetector, ToneSource } from '../../../src/media/index.js';
import { runPhoneCommand } from '../../../src/roles/phone/index.js';
import { Scenario, waitFor } from '../../scenarios/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'phone-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let s: Scenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function established(sc: Scenario, from: string, to: string): Promise<{ out: string; inc: string }> {
  const r = await sc.phone(from).dial(sc.uri(to));
  assert.ok(r.ok, JSON.stringify(r));
  const inc = await sc.event(to, 'incoming', (e) => e.remote.includes(`sip:${from.toLowerCase()}@`));
  if (sc.phone(to).config.autoAnswerMs === null) assert.ok((await sc.phone(to).answer(inc.call)).ok);
  await sc.callState(from, r.call.call, 'established');
  return { out: r.call.call, inc: inc.call };
}

describe('phone: refusing calls', () => {
  it('do not disturb answers 486 without ringing', async () => {
    s = await Scenario.start({ A: {}, B: { dnd: true } });
    const r = await s.phone('A').dial(s.uri('B'));
    assert.ok(r.ok);
    const ended = await s.event('A', 'ended');
    assert.equal(ended.status, 486);
    assert.equal((await s.event('B', 'ended')).reason, 'dnd');
    assert.equal(s.wire.between('A', 'B').filter((m) => m.status === 180).length, 0);
  });

  it('a phone with every line in use answers 486; with a free line it rings (call waiting)', async () => {
    s = await Scenario.start({ A: {}, B: { lines: 1, autoAnswer: 0 }, C: {} });
    await established(s, 'A', 'B');
    const r = await s.phone('C').dial(s.uri('B'));
    assert.ok(r.ok);
    assert.equal((await s.event('C', 'ended')).status, 486);
    await s.phone('B').reconfigure({ ...s.phone('B').config, lines: 2 });
    const again = await s.phone('C').dial(s.uri('B'));
    assert.ok(again.ok);
    const waiting = await s.event('B', 'incoming', (e) => e.sipCallId === again.call.sipCallId);
    assert.equal(waiting.waiting, true);
    await s.event('C', 'progress', (e) => e.call === again.call.call && e.status === 180);
    assert.equal(s.phone('B').get(waiting.call)?.state, 'incoming', 'auto-answer waits while a call is up');
    assert.ok(s.phone('B').reject(waiting.call, 603).ok);
    assert.equal((await s.event('C', 'ended', (e) => e.call === again.call.call)).status, 603);
  });

  it('dialling with every line busy is refused locally', async () => {
    s = await Scenario.start({ A: { lines: 1 }, B: { autoAnswer: 0 } });
    await established(s, 'A', 'B');
    const r = await s.phone('A').dial(s.uri('B'));
    assert.deepEqual(r.ok ? 'ok' : r.code, 'ERR_PHONE_LINES_BUSY');
    const bad = await s.phone('A').answer('42');
    assert.deepEqual(bad.ok ? 'ok' : bad.code, 'ERR_PHONE_NO_CALL');
  });
});

describe('phone: transfer on a one-line phone', () => {
  it('follows a REFER although its only line holds the call being transferred', async () => {
    s = await Scenario.start({ A: { lines: 1 }, B: { autoAnswer: 0 }, C: { autoAnswer: 0 } });
    const { inc } = await established(s, 'A', 'B');
    assert.ok((await s.phone('B').transfer(s.uri('C'), inc)).ok);
    await s.event('A', 'transfer', (e) => e.phase === 'completed');
    await s.hears({ A: [1700], C: [440] });
  });
});

describe('phone: media', () => {
  it('auto-answers after ringing, sends and receives DTMF (RFC 4733)', async () => {
    s = await Scenario.start({ A: {}, B: { autoAnswer: 300 } });
    const { out } = await established(s, 'A', 'B');
    assert.deepEqual(
      s.wire
        .between('A', 'B')
        .map((m) => m.label)
        .slice(0, 4)
        .filter((l) => !l.includes(' 100 ')),
      ['A->B INVITE', 'B->A 180 INVITE', 'B->A 200 INVITE', 'A->B ACK'],
    );
    assert.ok(s.phone('A').dtmf('15#', out).ok);
    await waitFor('three digits at B', () => (s?.events['B'] ?? []).filter((e) => e.event === 'dtmf').length === 3);
    assert.deepEqual(
      (s.events['B'] ?? []).flatMap((e) => (e.event === 'dtmf' ? [e.digit] : [])),
      ['1', '5', '#'],
    );
  });

  it('talks PCMA when that is all the caller offers', async () => {
    s = await Scenario.start({ A: { codecs: ['PCMA'] }, B: { autoAnswer: 0 } });
    await established(s, 'A', 'B');
    assert.equal(s.phone('B').active()[0]?.session.codec, 'PCMA');
    await s.hears({ A: [1000], B: [440] });
    const refused = await Scenario.start({ C: { codecs: ['PCMU'], autoAnswer: 0 } });
    try {
      const r = await s.phone('A').dial(refused.uri('C'));
      assert.ok(r.ok);
      const end = await s.event('A', 'ended', (e) => e.call === r.call.call);
      assert.equal(end.status, 488, 'no common codec: 488 Not Acceptable Here');
    } finally {
      await refused.stop();
    }
  });

  it('plays a WAV file as microphone and records what it hears to WAV', async () => {
    const tone = new Int16Array(8000 * 2);
    ToneSource.single(700, -12).read(tone);
    const wav = join(dir, 'prompt.wav');
    writeFileSync(wav, encodeWav(tone));
    const record = join(dir, 'heard.wav');
    s = await Scenario.start({ A: { audio: { source: { wav } } }, B: { autoAnswer: 0, audio: { record } } });
    const { out } = await established(s, 'A', 'B');
    await s.hears({ B: [700] });
    s.phone('A').hangup(out);
    await s.idle('B');
    await waitFor('the recording', () => {
      try {
        return readFileSync(record).length > 44;
      } catch {
        return false;
      }
    });
    const audio = parseWav(readFileSync(record));
    assert.equal(audio.sampleRate, 8000);
    const detector = new ToneDetector();
    const frame = new Int16Array(160);
    let heard700 = 0;
    for (let i = 0; i + 160 <= audio.samples.length; i += 160) {
      frame.set(audio.samples.subarray(i, i + 160));
      detector.write(frame);
      if (Math.abs((detector.reading.frequencyHz ?? 0) - 700) < 15) heard700++;
    }
    assert.ok(heard700 > 10, `the recording holds the 700 Hz prompt (${heard700} frames)`);
  });

  it('holds with a=sendonly by default (RFC 3264) and reports the remote hold', async () => {
    s = await Scenario.start({ A: {}, B: { autoAnswer: 0 } });
    const { out } = await established(s, 'A', 'B');
    assert.ok((await s.phone('A').hold(out)).ok);
    await s.event('B', 'remote-hold');
    assert.match(s.wire.requests('A', 'B', 'INVITE')[1]?.text ?? '', /\r\na=sendonly\r\n/);
    assert.equal(s.phone('B').list()[0]?.remoteHeld, true);
    await s.hears({ A: [], B: [] });
    assert.ok((await s.phone('A').resume(out)).ok);
    await s.event('B', 'remote-resume');
    await s.hears({ A: [1000], B: [440] });
  });
});

describe('phone: requests outside calls', () => {
  it('answers OPTIONS with Allow, Accept and Supported, and reports check-sync', async () => {
    s = await Scenario.start({ A: {}, B: {} });
    const res = await s.phone('A').ua.request('OPTIONS', s.uri('B'));
    assert.ok('get' in res);
    assert.equal(res.status, 200);
    assert.ok(res.get('allow').includes('REFER'));
    assert.ok(res.get('supported').includes('replaces'));
    assert.ok(res.get('accept').some((m) => m.subtype === 'sdp'));
    const notify = await s
      .phone('A')
      .ua.request('NOTIFY', s.uri('B'), { headers: [['Event', 'check-sync;reboot=true']] });
    assert.equal(notify.status, 200);
    assert.equal((await s.event('B', 'check-sync')).reboot, true);
  });
});

describe('phone: text commands', () => {
  it('drives calls with the baresip/linphonec vocabulary', async () => {
    s = await Scenario.start({ A: {}, B: {} });
    const a = s.phone('A');
    const b = s.phone('B');
    const dial = await runPhoneCommand(a, `/dial ${s.uri('B')}`);
    assert.equal(dial?.result.ok, true);
    await s.event('B', 'incoming');
    assert.equal((await runPhoneCommand(b, 'a'))?.result.ok, true);
    await waitFor('A established', () => a.list()[0]?.state === 'established');
    assert.equal((await runPhoneCommand(a, 'hold'))?.result.ok, true);
    const calls = await runPhoneCommand(a, 'calls');
    assert.ok(calls && 'calls' in calls);
    assert.equal(calls.calls[0]?.state, 'held');
    assert.equal((await runPhoneCommand(a, 'X'))?.result.ok, true);
    await s.hears({ A: [1000] });
    const hearing = await runPhoneCommand(a, 'hearing');
    assert.ok(hearing && 'hearing' in hearing && hearing.hearing.tones.some((t) => Math.abs(t - 1000) < 20));
    assert.equal((await runPhoneCommand(b, 'dtmf 9'))?.result.ok, true);
    await s.event('A', 'dtmf', (e) => e.digit === '9');
    assert.equal((await runPhoneCommand(b, '5'))?.command, 'dtmf', 'digits alone send DTMF during a call');
    const unknown = await runPhoneCommand(a, 'fly me to the moon');
    assert.equal(unknown?.result.ok, false);
    assert.equal(await runPhoneCommand(a, '# a comment'), undefined);
    // The microphone: mute, another tone, back.
    assert.equal((await runPhoneCommand(b, 'mute'))?.result.ok, true);
    await s.hears({ A: [] });
    assert.equal(b.list()[0]?.sending, 'silence (muted)');
    assert.equal((await runPhoneCommand(b, 'unmute'))?.result.ok, true);
    await s.hears({ A: [1000] });
    assert.equal((await runPhoneCommand(b, 'play tone 1300'))?.result.ok, true);
    await s.hears({ A: [1300] });
    assert.equal(b.list()[0]?.sending, 'tone 1300 Hz');
    assert.equal((await runPhoneCommand(b, 'play'))?.result.ok, false);
    const record = join(dir, 'cmd-record.wav');
    assert.equal((await runPhoneCommand(a, `record ${record}`))?.result.ok, true);
    await s.hears({ A: [1300] });
    assert.equal((await runPhoneCommand(b, 'dnd on'))?.result.ok, true);
    assert.equal(b.config.dnd, true);
    assert.equal((await runPhoneCommand(a, 'hangup all'))?.result.ok, true);
    await s.idle('B');
    await waitFor('the recording from the record command', () => {
      try {
        return parseWav(readFileSync(record)).samples.length > 800;
      } catch {
        return false;
      }
    });
    assert.equal((await runPhoneCommand(a, 'quit'))?.command, 'quit');
  });
});
