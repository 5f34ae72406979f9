import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  encodeWav,
  FRAME_SAMPLES,
  g711Decode,
  g711Encode,
  parseWav,
  ToneDetector,
  ToneSource,
  WavFormatError,
  WavPlayer,
  WavRecorder,
} from '../../src/media/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-wav-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tone(n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(10000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return out;
}

const hasSox = spawnSync('sox', ['--version']).status === 0;

describe('WAV files', () => {
  it('writes the canonical 44-byte PCM header and reads it back exactly', () => {
    const samples = tone(801);
    const wav = encodeWav(samples, 'pcm16');
    assert.equal(wav.length, 44 + 801 * 2);
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(4), wav.length - 8);
    assert.equal(wav.readUInt16LE(20), 1);
    const back = parseWav(wav);
    assert.deepEqual([back.format, back.sampleRate, back.channels], ['pcm16', 8000, 1]);
    assert.deepEqual(back.samples, samples);
  });

  for (const [format, law] of [
    ['alaw', 'PCMA'],
    ['mulaw', 'PCMU'],
  ] as const) {
    it(`writes ${format} (format ${format === 'alaw' ? 6 : 7}) with fact chunk and pad byte, and decodes it`, () => {
      const samples = tone(801); // odd byte count: needs the RIFF pad byte
      const wav = encodeWav(samples, format);
      assert.equal(wav.readUInt16LE(20), format === 'alaw' ? 6 : 7);
      assert.equal(wav.length % 2, 0);
      assert.ok(wav.includes(Buffer.from('fact')));
      const bytes = new Uint8Array(801);
      g711Encode(law, samples, bytes);
      const expected = new Int16Array(801);
      g711Decode(law, bytes, 0, 801, expected);
      assert.deepEqual(parseWav(wav).samples, expected);
    });
  }

  it('skips unknown chunks and reads stereo, which the player mixes down', () => {
    const base = encodeWav(new Int16Array([100, 300, -100, -300]), 'pcm16');
    // Make it stereo at the same byte size and put a LIST chunk (odd size) before data.
    base.writeUInt16LE(2, 22);
    base.writeUInt16LE(4, 32);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const wav = Buffer.concat([base.subarray(0, 36), list, base.subarray(36)]);
    wav.writeUInt32LE(wav.length - 8, 4);
    const audio = parseWav(wav);
    assert.equal(audio.channels, 2);
    const p = new WavPlayer(audio);
    const frame = new Int16Array(4);
    p.read(frame);
    assert.deepEqual([...frame], [200, -200, 0, 0]);
  });

  it('refuses what it cannot play', () => {
    assert.throws(() => parseWav(Buffer.from('hello world, not a wav')), WavFormatError);
    const wav = encodeWav(tone(10), 'pcm16', 16000);
    assert.throws(() => new WavPlayer(parseWav(wav)), WavFormatError);
  });

  it('plays once with onEnd, or loops', () => {
    let ended = 0;
    const once = new WavPlayer(parseWav(encodeWav(tone(200))), { onEnd: () => ended++ });
    const frame = new Int16Array(FRAME_SAMPLES);
    assert.equal(once.read(frame), true);
    assert.equal(once.read(frame), true); // 40 samples then silence
    assert.equal(frame[100], 0);
    assert.equal(once.read(frame), false);
    assert.equal(ended, 1);
    const loop = new WavPlayer(parseWav(encodeWav(tone(200))), { loop: true });
    for (let i = 0; i < 10; i++) assert.equal(loop.read(frame), true);
    assert.equal(loop.finished, false);
  });

  it('records frames and saves a file that plays back the same tone', async () => {
    const rec = new WavRecorder();
    const src = ToneSource.single(697, -10);
    const frame = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < 75; i++) {
      src.read(frame);
      rec.write(frame);
    }
    assert.equal(rec.length, 75 * FRAME_SAMPLES);
    const path = join(dir, 'rec.wav');
    await rec.save(path, 'mulaw');
    const player = await WavPlayer.open(path);
    const det = new ToneDetector();
    for (let i = 0; i < 20; i++) {
      player.read(frame);
      det.write(frame);
    }
    assert.ok(Math.abs((det.reading.frequencyHz ?? 0) - 697) < 3);
  });

  it('agrees with sox: sox reads our files and we read sox files', { skip: !hasSox && 'sox not installed' }, () => {
    for (const [format, soxEncoding] of [
      ['pcm16', 'Signed Integer PCM'],
      ['alaw', 'A-law'],
      ['mulaw', 'u-law'],
    ] as const) {
      const path = join(dir, `ours-${format}.wav`);
      writeFileSync(path, encodeWav(tone(8000), format));
      const info = spawnSync('soxi', [path], { encoding: 'utf8' });
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stdout, /Sample Rate\s*:\s*8000/);
      assert.match(info.stdout, /Channels\s*:\s*1/);
      assert.match(info.stdout, new RegExp(`Sample Encoding\\s*:\\s*.*${soxEncoding.replace('-', '.')}`));
      assert.match(info.stdout, /Duration\s*:\s*00:00:01\.00 = 8000 samples/);
    }
    for (const [args, format] of [
      [['-e', 'signed-integer', '-b', '16'], 'pcm16'],
      [['-e', 'a-law'], 'alaw'],
      [['-e', 'u-law'], 'mulaw'],
    ] as const) {
      const path = join(dir, `sox-${format}.wav`);
      const r = spawnSync('sox', [
        '-n',
        '-r',
        '8000',
        '-c',
        '1',
        ...args,
        path,
        'synth',
        '0.5',
        'sine',
        '1000',
        'vol',
        '0.5',
      ]);
      assert.equal(r.status, 0, String(r.stderr));
      const audio = parseWav(readFileSync(path));
      assert.equal(audio.format, format);
      assert.equal(audio.samples.length, 4000);
      const det = new ToneDetector();
      const frame = new Int16Array(FRAME_SAMPLES);
      for (let i = 0; i < 20; i++) {
        frame.set(audio.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
        det.write(frame);
      }
      assert.ok(Math.abs((det.reading.frequencyHz ?? 0) - 1000) < 3, `${format}: ${det.reading.frequencyHz}`);
      assert.ok(Math.abs(det.reading.levelDbfs - 20 * Math.log10(0.5)) < 0.5, `${format}: ${det.reading.levelDbfs}`);
    }
  });
});
