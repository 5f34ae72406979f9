import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBinding } from '../../src/store/binding-rules.js';
import type { Binding } from '../../src/store/index.js';
import { planRegister } from '../../src/store/register-plan.js';

const AOR = 'sip:alice@example.com';
const T0 = 1_000_000;
const bind = (contact: string, extra: Partial<Binding> = {}): Binding => ({
  ...toBinding({ aor: AOR, contact, expiresAt: T0 + 60_000, callId: 'old', cseq: 1 }, T0 - 1000),
  ...extra,
});

describe('planRegister (RFC 3261 section 10.3 steps 6-8)', () => {
  it('adds, refreshes and removes in request order against a working set', () => {
    const a = bind('sip:alice@10.0.0.1');
    const b = bind('sip:alice@10.0.0.2');
    const plan = planRegister(
      AOR,
      [a, b],
      {
        callId: 'new',
        cseq: 2,
        contacts: [
          { contact: 'sip:alice@10.0.0.1;ob', expiresAt: T0 + 120_000 },
          { contact: 'sip:alice@10.0.0.2', expiresAt: T0 },
          { contact: 'sip:alice@10.0.0.3', expiresAt: T0 + 60_000 },
          // Names the binding the same request just added: it replaces it, it does not add a second.
          { contact: 'sip:alice@10.0.0.3;x=1', expiresAt: T0 + 90_000 },
        ],
      },
      T0,
    );
    assert.deepEqual(
      plan.deletes.map((x) => x.contact),
      ['sip:alice@10.0.0.1', 'sip:alice@10.0.0.2'],
    );
    assert.deepEqual(
      plan.inserts.map((x) => x.contact),
      ['sip:alice@10.0.0.1;ob', 'sip:alice@10.0.0.3;x=1'],
    );
    assert.deepEqual(
      plan.refreshed.map((x) => x.contact),
      ['sip:alice@10.0.0.1;ob'],
    );
    assert.deepEqual(
      plan.added.map((x) => x.contact),
      ['sip:alice@10.0.0.3;x=1'],
    );
    assert.deepEqual(
      plan.removed.map((x) => x.contact),
      ['sip:alice@10.0.0.2'],
    );
    assert.deepEqual(
      plan.view.matches.map((m) => m.map((x) => x.contact)),
      [['sip:alice@10.0.0.1'], ['sip:alice@10.0.0.2'], [], ['sip:alice@10.0.0.3']],
    );
    assert.equal(plan.inserts[0]?.callId, 'new');
    assert.equal(plan.inserts[0]?.cseq, 2);
    assert.equal(plan.inserts[0]?.updatedAt, T0);
  });

  it('one Contact replaces every binding it equals (section 19.1.4 is not transitive)', () => {
    const p1 = bind('sip:a@h;foo=1');
    const p2 = bind('sip:a@h;foo=2');
    const plan = planRegister(
      AOR,
      [p1, p2],
      { callId: 'c', cseq: 1, contacts: [{ contact: 'sip:a@h', expiresAt: T0 + 1 }] },
      T0,
    );
    assert.deepEqual(
      plan.view.resulting.map((x) => x.contact),
      ['sip:a@h'],
    );
    assert.equal(plan.deletes.length, 2);
  });

  it('keeps another instance apart even on the same URI text only when the keys differ', () => {
    const other = bind('sip:a@10.0.0.9', { instanceId: '<urn:uuid:1>', regId: 1 });
    const plan = planRegister(
      AOR,
      [other],
      {
        callId: 'c',
        cseq: 1,
        contacts: [{ contact: 'sip:a@10.0.0.9;ob', expiresAt: T0 + 1, instanceId: '<urn:uuid:2>', regId: 1 }],
      },
      T0,
    );
    assert.equal(plan.view.resulting.length, 2);
    const same = planRegister(
      AOR,
      [other],
      {
        callId: 'c',
        cseq: 1,
        contacts: [{ contact: 'sip:a@10.0.0.9', expiresAt: T0 + 1, instanceId: '<urn:uuid:2>', regId: 1 }],
      },
      T0,
    );
    assert.equal(same.view.resulting.length, 1, 'one row per canonical contact, whatever the instance');
  });

  it('Contact: * removes everything and cannot carry contacts', () => {
    const a = bind('sip:a@h');
    const plan = planRegister(AOR, [a], { callId: 'c', cseq: 9, removeAll: true, contacts: [] }, T0);
    assert.deepEqual(plan.removed, [a]);
    assert.deepEqual(plan.view.resulting, []);
    assert.throws(
      () =>
        planRegister(
          AOR,
          [a],
          { callId: 'c', cseq: 9, removeAll: true, contacts: [{ contact: 'sip:a@h', expiresAt: 0 }] },
          T0,
        ),
      { code: 'ERR_STORE_RECORD' },
    );
  });
});
