/**
 * Ordered parameters and the lexical helpers of the section 25 grammar: case-insensitive names,
 * flags, quoted values kept with their quotes, header parameters with linear white space, list
 * splitting outside quotes and angle brackets (section 7.3.1), quoting and escaping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Params, parseNameAddr, quote, SipParseError, splitList, unquote } from '../../src/sip/index.js';

describe('Params', () => {
  const p = new Params([
    ['Transport', 'TCP'],
    ['lr', null],
    ['text', '"a \\"b\\""'],
  ]);

  it('finds names in any case; flags have the value null; absent ones undefined', () => {
    assert.equal(p.get('transport'), 'TCP');
    assert.equal(p.get('LR'), null);
    assert.equal(p.get('maddr'), undefined);
    assert.ok(p.has('TRANSPORT') && !p.has('ttl'));
    assert.equal(p.size, 3);
  });

  it('keeps quoted values as written and unquotes on request', () => {
    assert.equal(p.get('text'), '"a \\"b\\""');
    assert.equal(p.getUnquoted('text'), 'a "b"');
    assert.equal(p.getUnquoted('lr'), undefined);
  });

  it('changes by copy: replacing in place keeps the written name and position', () => {
    const q = p.with('transport', 'udp').with('ttl', 5).without('LR');
    assert.equal(q.toString(), ';Transport=udp;text="a \\"b\\"";ttl=5');
    assert.equal(p.toString(), ';Transport=TCP;lr;text="a \\"b\\""');
    assert.equal(p.without('absent'), p);
    assert.equal(q.toString('&', false), 'Transport=udp&text="a \\"b\\""&ttl=5');
  });

  it('builds from a record, skipping undefined values', () => {
    assert.equal(Params.of({ a: 1, b: null, c: undefined, d: 'x' }).toString(), ';a=1;b;d=x');
    assert.equal(Params.of({}), Params.empty);
  });

  it('compares names and values case-insensitively, order aside', () => {
    const a = new Params([
      ['a', 'X'],
      ['b', null],
    ]);
    assert.ok(
      a.equals(
        new Params([
          ['B', null],
          ['A', 'x'],
        ]),
      ),
    );
    assert.ok(
      !a.equals(
        new Params([
          ['a', 'x'],
          ['b', ''],
        ]),
      ),
    );
    assert.ok(!a.equals(new Params([['a', 'x']])));
    assert.ok(
      !a.equals(
        new Params([
          ['a', 'y'],
          ['b', null],
        ]),
      ),
    );
  });
});

describe('header parameters', () => {
  it('allow LWS around ";" and "=" and keep quoted values whole', () => {
    const na = parseNameAddr('<sip:a@b.example> ; q = 0.5 ;\tx="a;b,c" ; flag ;v6=[2001:db8::1]');
    assert.deepEqual(na.params.entries(), [
      ['q', '0.5'],
      ['x', '"a;b,c"'],
      ['flag', null],
      ['v6', '[2001:db8::1]'],
    ]);
  });
});

describe('splitList', () => {
  it('splits on commas outside quoted strings and angle brackets, trimming pieces', () => {
    assert.deepEqual(splitList(' a , b,c '), ['a', 'b', 'c']);
    assert.deepEqual(splitList('"x, y" <sip:a@b>, <sip:c@d;p=1,2>'), ['"x, y" <sip:a@b>', '<sip:c@d;p=1,2>']);
    assert.deepEqual(splitList('"a \\" , b", c'), ['"a \\" , b"', 'c']);
    assert.deepEqual(splitList('single'), ['single']);
  });

  it('keeps empty pieces so that callers can refuse stray commas', () => {
    assert.deepEqual(splitList('a,,b,'), ['a', '', 'b', '']);
  });

  it('reports an unterminated quoted string', () => {
    assert.throws(() => splitList('"a, b'), SipParseError);
  });
});

describe('quote and unquote', () => {
  it('escape quotes and backslashes and undo it', () => {
    for (const s of ['plain', 'with "quotes"', 'back\\slash', '', 'ü \u0000']) {
      assert.equal(unquote(quote(s)), s);
    }
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(unquote('not-quoted'), 'not-quoted');
    assert.equal(unquote('"half'), '"half');
  });
});
