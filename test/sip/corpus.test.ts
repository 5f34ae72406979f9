/**
 * The RFC 4475 and RFC 5118 torture corpora against their manifests: every message gets the
 * parser verdict of its `parser` field (with the status its manifest names for rejections), and
 * every accepted request gets from validateRequest the status its `expected_response` / `by_role`
 * names for the role, or one of its `acceptable_alternatives`. Then the specific facts RFC 4475
 * asks a parser to get right (escaped nulls, contact-params vs url-params, bodies by the byte).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  IncomingRequest,
  type IncomingResponse,
  KNOWN_METHODS,
  type ParseResult,
  parseMessage,
  type SipUri,
  type ValidationOptions,
  validateRequest,
  validateResponse,
} from '../../src/sip/index.js';
import { type CorpusEntry, corpusBytes, corpusEntries, saysProceed, statusesNamed } from './support/corpus.js';

function parseFile(e: CorpusEntry): ParseResult {
  return parseMessage(readFileSync(e.path));
}

function parsed(id: string): IncomingRequest | IncomingResponse {
  const r = parseMessage(corpusBytes(id));
  if (!r.ok) throw new Error(`${id} must parse: ${r.error.message}`);
  return r.message;
}

function request(id: string): IncomingRequest {
  const m = parsed(id);
  assert.ok(m instanceof IncomingRequest, `${id} is a request`);
  return m;
}

function alternativeStatuses(e: CorpusEntry): number[] {
  return e.alternatives.flatMap((a) => [...statusesNamed(a), ...(saysProceed(a) ? [200] : [])]);
}

/**
 * What each by_role key of the manifests means as validation options. Keys whose answer is not
 * a validation decision say why instead (the test fails on a key it does not know).
 */
const ROLE_KEYS: Readonly<Record<string, readonly ValidationOptions[] | string>> = {
  any: [{ role: 'uas' }, { role: 'proxy' }, { role: 'registrar' }],
  uas: [{ role: 'uas' }],
  proxy: [{ role: 'proxy' }],
  registrar: [{ role: 'registrar' }],
  registrar_no_auth: [{ role: 'registrar' }],
  uas_not_registrar: [{ role: 'uas', methods: new Set([...KNOWN_METHODS].filter((m) => m !== 'REGISTER')) }],
  registrar_with_auth: 'the 401 challenge comes from the digest server, after validation',
  uas_or_uac: 'about responses: dropped by transaction matching',
};

interface RoleCheck {
  readonly key: string;
  readonly options: ValidationOptions;
  readonly acceptable: ReadonlySet<number>;
}

/** The (role, acceptable statuses) pairs a manifest entry names for an accepted request; 200 = no problem. */
function roleChecks(e: CorpusEntry): RoleCheck[] {
  const alternatives = alternativeStatuses(e);
  if (e.byRole === undefined) {
    const named = e.expectedResponse ?? (e.expected === 'valid' ? 200 : undefined);
    if (named === undefined) return [];
    const acceptable = new Set([named, ...alternatives]);
    return (ROLE_KEYS['any'] as ValidationOptions[]).map((options) => ({ key: 'any', options, acceptable }));
  }
  const out: RoleCheck[] = [];
  for (const [key, text] of Object.entries(e.byRole)) {
    const mapped = ROLE_KEYS[key];
    assert.ok(mapped !== undefined, `${e.id}: by_role key "${key}" is not mapped to a validation role`);
    if (typeof mapped === 'string') continue;
    const named = [...statusesNamed(text), ...(saysProceed(text) ? [200] : [])];
    if (named.length === 0) continue;
    const acceptable = new Set([...named, ...alternatives]);
    for (const options of mapped) out.push({ key, options, acceptable });
  }
  return out;
}

describe('conformance corpus: parser verdicts', () => {
  const entries = corpusEntries();

  it('has the 50 RFC 4475 messages, its repaired variant and the 12 RFC 5118 messages', () => {
    assert.equal(entries.filter((e) => e.corpus === 'rfc4475').length, 51);
    assert.equal(entries.filter((e) => e.corpus === 'rfc5118').length, 12);
  });

  for (const e of entries) {
    it(`${e.id}: ${e.parser}${e.expectedResponse === null ? '' : ` (${e.expectedResponse})`}`, () => {
      const r = parseFile(e);
      const allowed = new Set([e.expectedResponse, ...alternativeStatuses(e)]);
      if (e.parser === 'accept') {
        assert.ok(r.ok, `${e.id} must parse, got ${r.ok ? '' : `${r.error.status} ${r.error.message}`}`);
      } else if (e.parser === 'reject') {
        assert.ok(!r.ok, `${e.id} must be rejected`);
        assert.ok(r.error.message.length > 0);
        if (e.expectedResponse === null) {
          // Nothing to answer: a response to drop, or a request without the Via an answer needs.
          if (r.request) assert.ok(!r.request.lines.some((l) => /^(via|v)$/i.test(l.name)), `${e.id}: has a Via`);
        } else {
          assert.ok(allowed.has(r.error.status), `${e.id}: status ${r.error.status} not in ${[...allowed]}`);
          assert.ok(r.request, `${e.id}: a rejected request keeps what a stateless answer needs`);
          assert.ok(r.request.lines.some((l) => /^(via|v)$/i.test(l.name)));
        }
      } else {
        if (r.ok) {
          const errors = r.message.headerErrors();
          assert.ok(errors.length > 0, `${e.id}: accepted, so a malformed header must be reported`);
          for (const h of errors) assert.ok(allowed.has(h.error.status), `${e.id}: ${h.name} -> ${h.error.status}`);
        } else {
          assert.ok(allowed.has(r.error.status), `${e.id}: status ${r.error.status} not in ${[...allowed]}`);
        }
      }
    });
  }
});

describe('conformance corpus: what a server answers', () => {
  let checks = 0;
  for (const e of corpusEntries()) {
    if (e.parser !== 'accept') continue;
    it(`${e.id}`, () => {
      const m = parsed(e.id);
      if (m.kind === 'response') {
        // Responses are never answered: they are matched to a transaction or dropped as strays,
        // so each must carry what matching needs.
        assert.equal(validateResponse(m), undefined);
        return;
      }
      for (const c of roleChecks(e)) {
        const problem = validateRequest(m as IncomingRequest, c.options);
        const status = problem?.status ?? 200;
        checks++;
        assert.ok(
          c.acceptable.has(status),
          `${e.id} as ${c.key}/${c.options.role}: got ${status}${problem ? ` (${problem.reason})` : ''}, manifest allows ${[...c.acceptable]}`,
        );
      }
    });
  }
  it('checked the statuses of at least 40 (message, role) pairs', () => {
    assert.ok(checks >= 40, `only ${checks} checks ran`);
  });
});

describe('conformance corpus: details RFC 4475 asks for', () => {
  it('escnull: %00 does not truncate the AOR and gives two distinct bindings (3.1.1.4)', () => {
    const m = request('rfc4475/escnull');
    const to = m.to.uri as SipUri;
    assert.equal(to.user, 'null-\u0000-null');
    assert.equal(to.toString(), 'sip:null-%00-null@example.com');
    const contacts = m.get('contact');
    assert.equal(contacts.length, 2);
    const [a, b] = contacts.map((c) => c.uri as SipUri);
    assert.equal(a?.user, '\u0000');
    assert.equal(b?.user, '\u0000\u0000');
    assert.ok(a && b && !a.equals(b));
    assert.equal(b?.toString(), 'sip:%00%00@host5.example.com');
  });

  it('cparam01: without angle brackets, ;unknownparam is a contact-param (3.3.14 / 3.1.2.?)', () => {
    const c = request('rfc4475/cparam01').get('contact')[0];
    assert.ok(c);
    assert.equal(c.params.get('unknownparam'), null);
    assert.equal((c.uri as SipUri).params.has('unknownparam'), false);
    assert.equal(c.uri.toString(), 'sip:+19725552222@gw1.example.net');
  });

  it('cparam02: inside angle brackets, ;unknownparam is a url-parameter', () => {
    const c = request('rfc4475/cparam02').get('contact')[0];
    assert.ok(c);
    assert.equal(c.params.has('unknownparam'), false);
    assert.equal((c.uri as SipUri).params.get('unknownparam'), null);
    assert.equal(c.uri.toString(), 'sip:+19725552222@gw1.example.net;unknownparam');
  });

  it('regescrt: the escaped Route stays a header of the contact URI', () => {
    const m = request('rfc4475/regescrt');
    assert.equal(m.count('route'), 0);
    const uri = m.get('contact')[0]?.uri as SipUri;
    assert.equal(uri.header('Route'), '<sip:sip.example.com>');
    assert.equal(uri.toString(), 'sip:user@example.com?Route=%3Csip:sip.example.com%3E');
  });

  it('mpart01: the multipart body survives byte for byte, NULs and bare LFs included', () => {
    const bytes = corpusBytes('rfc4475/mpart01');
    const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
    const m = request('rfc4475/mpart01');
    assert.equal(Buffer.compare(Buffer.from(m.body), body), 0);
    assert.ok(body.includes(0) && body.length === m.get('content-length'));
    const again = parseMessage(m.toBuffer());
    assert.ok(again.ok);
    assert.equal(Buffer.compare(Buffer.from(again.message.body), body), 0);
  });

  it('dblreq: the REGISTER has an empty body and the INVITE after it is ignored', () => {
    const m = request('rfc4475/dblreq');
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.body.length, 0);
    assert.ok(!m.toString().includes('INVITE'));
  });

  it('inv2543: without Content-Length, the body is the rest of the datagram (18.3)', () => {
    const bytes = corpusBytes('rfc4475/inv2543');
    const m = request('rfc4475/inv2543');
    assert.equal(m.get('content-length'), undefined);
    assert.deepEqual(Buffer.from(m.body), bytes.subarray(bytes.indexOf('\r\n\r\n') + 4));
    assert.equal(m.get('via')[0]?.branch, undefined);
    assert.equal(m.fromTag, undefined);
  });

  it('zeromf: Max-Forwards 0 is refused by a proxy only (483), a UAS processes it', () => {
    const m = request('rfc4475/zeromf');
    assert.equal(m.get('max-forwards'), 0);
    assert.equal(validateRequest(m, { role: 'proxy' })?.status, 483);
    assert.equal(validateRequest(m), undefined);
  });

  it('bext01: the 420 names every unsupported option tag in Unsupported', () => {
    const m = request('rfc4475/bext01');
    assert.deepEqual(validateRequest(m)?.headers, [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
    assert.deepEqual(validateRequest(m, { role: 'proxy' })?.headers, [
      ['Unsupported', 'noProxiesSupportThis, norDoAnyProxiesSupportThis'],
    ]);
    assert.equal(validateRequest(m, { supported: ['nothingSupportsThis', 'nothingSupportsThisEither'] }), undefined);
  });

  it('esc02: RE%47IST%45R is an unknown method (501) and C%6Fntact an unknown header', () => {
    const m = request('rfc4475/esc02');
    assert.equal(m.method, 'RE%47IST%45R');
    assert.equal(m.get('contact').length, 2);
    assert.deepEqual(m.getRaw('C%6Fntact').length, 1);
    assert.equal(m.from.displayName, '%Z%45');
  });

  it('multi01: a repeated single-valued header is a 400 naming it', () => {
    const p = validateRequest(request('rfc4475/multi01'));
    assert.equal(p?.status, 400);
    assert.match(p?.reason ?? '', /more than one/);
  });

  it('invut: 415 lists the accepted body types in Accept', () => {
    const p = validateRequest(request('rfc4475/invut'));
    assert.equal(p?.status, 415);
    assert.equal(p?.headers[0]?.[0], 'Accept');
  });

  it('unksm2: a registrar refuses a non-SIP To, a UAS without REGISTER answers 405 with Allow', () => {
    const m = request('rfc4475/unksm2');
    assert.equal(validateRequest(m, { role: 'registrar' })?.status, 400);
    const p = validateRequest(m, { methods: new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS']) });
    assert.equal(p?.status, 405);
    assert.deepEqual(p?.headers, [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']]);
  });

  it('RFC 5118: IPv6 references, received= with and without brackets, port ambiguity', () => {
    const good = request('rfc5118/ipv6-good');
    assert.equal((good.uri as SipUri).host, '[2001:db8::10]');
    assert.equal((good.uri as SipUri).hostname, '2001:db8::10');
    const withDelim = request('rfc5118/via-received-param-with-delim').topVia;
    assert.equal(withDelim.host, '[2001:db8::9:1]');
    assert.equal(withDelim.received, '[2001:db8::9:255]');
    const noDelim = request('rfc5118/via-received-param-no-delim').topVia;
    assert.equal(noDelim.received, '2001:db8::9:255');
    const amb = request('rfc5118/port-ambiguous').uri as SipUri;
    assert.equal(amb.host, '[2001:db8::10:5070]');
    assert.equal(amb.port, undefined);
    const unamb = request('rfc5118/port-unambiguous').uri as SipUri;
    assert.equal(unamb.host, '[2001:db8::10]');
    assert.equal(unamb.port, 5070);
    const mapped = request('rfc5118/ipv4-mapped-ipv6').get('via');
    assert.equal(mapped[0]?.host, '[::ffff:192.0.2.10]');
    assert.equal(mapped[0]?.port, 19823);
    assert.equal(mapped[1]?.host, '[::ffff:192.0.2.2]');
  });
});
