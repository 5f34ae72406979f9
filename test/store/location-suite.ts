/**
 * The LocationStore behaviour every backend must show, run by sqlite-stores.test.ts and
 * postgres-stores.test.ts against their own databases: ordering, expiry, the RFC 3261 section
 * 10.3 / RFC 5626 matching rules, removal, fields kept byte for byte, the atomic REGISTER with
 * its guard, and persistence across a close and reopen.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Binding, ContactUpdate, RegisterUpdate } from '../../src/store/index.js';
import { conformanceDir } from '../helpers/paths.js';
import { type StoreHarness, T0, withDatabase } from './store-harness.js';

const AOR = 'sip:alice@example.com';
const HOUR = 3600_000;

function reg(callId: string, cseq: number, ...contacts: ContactUpdate[]): RegisterUpdate {
  return { callId, cseq, contacts };
}

const contacts = (bs: readonly Binding[]): string[] => bs.map((b) => b.contact);

/** The Contact URI text between the angle brackets of the Contact (or `m:`) line of a corpus message. */
function corpusContact(name: string): string {
  const text = readFileSync(join(conformanceDir(), 'rfc4475', `${name}.dat`), 'latin1');
  const line = text.split('\r\n').find((l) => /^(contact|m)\s*:/i.test(l));
  const m = line?.match(/<([^>]*)>/);
  if (!m?.[1]) throw new Error(`no Contact <...> in ${name}.dat`);
  return m[1];
}

export function describeLocationStore(harness: StoreHarness): void {
  describe(`LocationStore (${harness.name})`, () => {
    it('orders bindings by q descending (absent q as 1.0), then most recently written first', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(
          AOR,
          reg(
            'c1',
            1,
            { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + HOUR, q: 0.5 },
            { contact: 'sip:alice@10.0.0.2', expiresAt: T0 + HOUR },
            { contact: 'sip:alice@10.0.0.3', expiresAt: T0 + HOUR, q: 0.9 },
          ),
          T0,
        );
        await locations.applyRegister(
          AOR,
          reg('c2', 1, { contact: 'sip:alice@10.0.0.4', expiresAt: T0 + HOUR, q: 0.5 }),
          T0 + 1000,
        );
        assert.deepEqual(contacts(await locations.get(AOR, T0 + 1000)), [
          'sip:alice@10.0.0.2',
          'sip:alice@10.0.0.3',
          'sip:alice@10.0.0.4',
          'sip:alice@10.0.0.1',
        ]);
        // Refreshing the oldest q=0.5 binding makes it the most recent of its q.
        await locations.applyRegister(
          AOR,
          reg('c1', 2, { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + HOUR, q: 0.5 }),
          T0 + 2000,
        );
        const got = await locations.get(AOR, T0 + 2000);
        assert.deepEqual(contacts(got).slice(2), ['sip:alice@10.0.0.1', 'sip:alice@10.0.0.4']);
        assert.deepEqual(
          got.map((b) => b.q),
          [null, 0.9, 0.5, 0.5],
        );
      });
    });

    it('expires bindings at expiresAt: live until the ms before, gone at it, purged by expire()', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(
          AOR,
          reg(
            'c1',
            1,
            { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + 60_000 },
            { contact: 'sip:alice@10.0.0.2', expiresAt: T0 + 120_000 },
          ),
          T0,
        );
        await locations.applyRegister(
          'sip:bob@example.com',
          reg('c2', 1, { contact: 'sip:bob@10.0.0.9', expiresAt: T0 + 30_000 }),
          T0,
        );
        assert.deepEqual(await locations.stats(T0), { aors: 2, contacts: 3 });
        assert.equal((await locations.get(AOR, T0 + 59_999)).length, 2);
        assert.deepEqual(contacts(await locations.get(AOR, T0 + 60_000)), ['sip:alice@10.0.0.2']);
        assert.deepEqual(await locations.stats(T0 + 60_000), { aors: 1, contacts: 1 });

        const purged = await locations.expire(T0 + 60_000);
        assert.deepEqual(contacts(purged).sort(), ['sip:alice@10.0.0.1', 'sip:bob@10.0.0.9']);
        // Purged means deleted: even a "now" before their expiry no longer finds them.
        assert.deepEqual(contacts(await locations.get(AOR, T0)), ['sip:alice@10.0.0.2']);
        assert.deepEqual(await locations.get('sip:bob@example.com', T0), []);
        assert.deepEqual(await locations.expire(T0 + 60_000), []);
      });
    });

    it('updates a binding whose contact is equal by RFC 3261 section 19.1.4, keeps distinct ones apart', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(
          AOR,
          reg('c1', 1, { contact: 'sip:alice@PC33.Example.com:5060;transport=TCP', expiresAt: T0 + HOUR }),
          T0,
        );
        // Escaped user, host case, transport value case and an extra parameter present on one
        // side only: all the same URI, so the binding is updated, not duplicated.
        const out = await locations.applyRegister(
          AOR,
          reg('c1', 2, { contact: 'sip:%61lice@pc33.example.com:5060;transport=tcp;ob', expiresAt: T0 + 2 * HOUR }),
          T0 + 1000,
        );
        assert.ok(out.ok);
        assert.equal(out.added.length, 0);
        assert.equal(out.refreshed.length, 1);
        assert.deepEqual(contacts(out.bindings), ['sip:%61lice@pc33.example.com:5060;transport=tcp;ob']);
        assert.equal(out.bindings[0]?.expiresAt, T0 + 2 * HOUR);
        assert.equal(out.bindings[0]?.cseq, 2);
        // A different port, a different transport or a different user is another binding.
        await locations.applyRegister(
          AOR,
          reg(
            'c1',
            3,
            { contact: 'sip:alice@pc33.example.com:5062;transport=tcp', expiresAt: T0 + HOUR },
            { contact: 'sip:alice@pc33.example.com:5060;transport=udp', expiresAt: T0 + HOUR },
            { contact: 'sip:Alice@pc33.example.com:5060;transport=tcp', expiresAt: T0 + HOUR },
          ),
          T0 + 2000,
        );
        assert.equal((await locations.get(AOR, T0 + 2000)).length, 4);
      });
    });

    it('replaces by +sip.instance and reg-id (RFC 5626), by instance alone without reg-id (RFC 5627)', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        const inst = '"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"';
        await locations.applyRegister(
          AOR,
          reg('c1', 1, { contact: 'sip:alice@192.0.2.1:40001;ob', expiresAt: T0 + HOUR, instanceId: inst, regId: 1 }),
          T0,
        );
        // The NAT gave the UA a new port: same instance and reg-id, new URI, replaces the flow.
        let out = await locations.applyRegister(
          AOR,
          reg('c1', 2, { contact: 'sip:alice@192.0.2.1:40777;ob', expiresAt: T0 + HOUR, instanceId: inst, regId: 1 }),
          T0 + 1000,
        );
        assert.ok(out.ok);
        assert.deepEqual(contacts(out.bindings), ['sip:alice@192.0.2.1:40777;ob']);
        assert.deepEqual(contacts(out.refreshed), ['sip:alice@192.0.2.1:40777;ob']);
        // A second flow of the same instance (reg-id 2) is an additional binding.
        out = await locations.applyRegister(
          AOR,
          reg('c1', 3, { contact: 'sip:alice@198.51.100.7:5060;ob', expiresAt: T0 + HOUR, instanceId: inst, regId: 2 }),
          T0 + 2000,
        );
        assert.ok(out.ok);
        assert.equal(out.bindings.length, 2);
        assert.deepEqual(
          out.bindings.map((b) => b.regId),
          [2, 1],
        );
        // Instance without reg-id: the instance decides, whatever its quoting and hex case.
        await locations.applyRegister(
          'sip:bob@example.com',
          reg('b1', 1, { contact: 'sip:bob@10.1.1.1:5060', expiresAt: T0 + HOUR, instanceId: '"<urn:uuid:abc-DEF>"' }),
          T0,
        );
        out = await locations.applyRegister(
          'sip:bob@example.com',
          reg('b2', 1, { contact: 'sip:bob@10.1.1.2:5070', expiresAt: T0 + HOUR, instanceId: '<urn:uuid:ABC-def>' }),
          T0 + 1000,
        );
        assert.ok(out.ok);
        assert.deepEqual(contacts(out.bindings), ['sip:bob@10.1.1.2:5070']);
        assert.equal(out.bindings[0]?.callId, 'b2');
      });
    });

    it('removes one binding with Expires 0, all with Contact: *, and by remove()/removeAll()', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        const three = reg(
          'c1',
          1,
          { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + HOUR },
          { contact: 'sip:alice@10.0.0.2', expiresAt: T0 + HOUR },
          { contact: 'sip:alice@10.0.0.3', expiresAt: T0 + HOUR },
        );
        await locations.applyRegister(AOR, three, T0);
        let out = await locations.applyRegister(
          AOR,
          reg('c1', 2, { contact: 'sip:alice@10.0.0.2', expiresAt: T0 }),
          T0,
        );
        assert.ok(out.ok);
        assert.deepEqual(contacts(out.removed), ['sip:alice@10.0.0.2']);
        assert.deepEqual(contacts(out.bindings), ['sip:alice@10.0.0.1', 'sip:alice@10.0.0.3']);
        // Expires 0 for a contact that is not bound is a no-op, not an error.
        out = await locations.applyRegister(AOR, reg('c1', 3, { contact: 'sip:alice@10.9.9.9', expiresAt: T0 }), T0);
        assert.ok(out.ok);
        assert.deepEqual(out.removed, []);
        assert.equal(out.bindings.length, 2);

        out = await locations.applyRegister(AOR, { callId: 'c1', cseq: 4, removeAll: true, contacts: [] }, T0);
        assert.ok(out.ok);
        assert.equal(out.removed.length, 2);
        assert.deepEqual(await locations.get(AOR, T0), []);

        await locations.applyRegister(AOR, { ...three, cseq: 5 }, T0);
        assert.equal(
          await locations.remove('Alice@EXAMPLE.com', 'sip:alice@10.0.0.2'),
          0,
          'the user part is case-sensitive',
        );
        assert.equal(await locations.remove('alice@EXAMPLE.com', 'sip:alice@10.0.0.2;transport=udp'), 0);
        assert.equal(await locations.remove('alice@EXAMPLE.com', 'SIP:alice@10.0.0.2'), 1);
        assert.equal(await locations.removeAll('sip:alice@example.com;transport=tcp'), 2);
        assert.deepEqual(await locations.get(AOR, T0), []);
        assert.equal(await locations.removeAll(AOR), 0);
      });
    });

    it('returns the contact text, Path, instance, flow, User-Agent and parameters exactly as written', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        const cparam02 = corpusContact('cparam02');
        const regescrt = corpusContact('regescrt');
        assert.equal(cparam02, 'sip:+19725552222@gw1.example.net;unknownparam');
        assert.equal(regescrt, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E');
        const odd =
          'sips:%22Al%20ice%22;x=%41@[2001:DB8::1]:5061;transport=TLS;maddr=239.255.255.1;lr?Subject=Hi%20there&x=y';
        const flow = {
          transport: 'tls' as const,
          localAddress: '127.0.0.1',
          localPort: 5061,
          remoteAddress: '2001:db8::1',
          remotePort: 49152,
          connectionId: 42,
        };
        const path = ['<sip:edge1.example.com;lr;ob>', '"Edge 2" <sip:[2001:db8::2]:5070;lr>'];
        await locations.applyRegister(
          AOR,
          reg(
            'c1@host',
            7,
            { contact: cparam02, expiresAt: T0 + HOUR },
            { contact: regescrt, expiresAt: T0 + HOUR, q: 0.25 },
            {
              contact: odd,
              expiresAt: T0 + HOUR,
              q: 0.125,
              instanceId: '"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"',
              regId: 3,
              path,
              flow,
              userAgent: 'Linphone/5.1.65 (belle-sip/5.1.1) — ünïcode',
              contactParams:
                ';+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=3;methods="INVITE, BYE"',
            },
          ),
          T0,
        );
        const got = await locations.get(AOR, T0);
        assert.deepEqual(contacts(got), [cparam02, regescrt, odd]);
        const b = got[2] as Binding;
        assert.deepEqual(b.path, path);
        assert.deepEqual(b.flow, flow);
        assert.equal(b.instanceId, '"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"');
        assert.equal(b.regId, 3);
        assert.equal(b.q, 0.125);
        assert.equal(b.userAgent, 'Linphone/5.1.65 (belle-sip/5.1.1) — ünïcode');
        assert.equal(
          b.contactParams,
          ';+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=3;methods="INVITE, BYE"',
        );
        assert.equal(b.callId, 'c1@host');
        assert.equal(b.cseq, 7);
        assert.equal(b.updatedAt, T0);
        assert.equal(got[0]?.flow, null);
        assert.deepEqual(got[0]?.path, []);
        // A UDP flow has no connection id, and comes back without one.
        const udp = { ...flow, transport: 'udp' as const, connectionId: undefined };
        const up = await locations.upsert(
          { aor: AOR, contact: cparam02, expiresAt: T0 + HOUR, callId: 'x', cseq: 1, flow: udp },
          T0,
        );
        assert.deepEqual(up.flow, udp);
        assert.deepEqual((await locations.get(AOR, T0)).find((x) => x.contact === cparam02)?.flow, udp);
      });
    });

    it('normalises AORs: parameters, port, scheme and host case do not matter; the user case does', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(
          '<sips:alice@EXAMPLE.com:5061;transport=tls>',
          reg('c', 1, { contact: 'sip:a@h', expiresAt: T0 + HOUR }),
          T0,
        );
        for (const spelling of ['sip:alice@example.com', 'alice@Example.COM', 'sip:%61lice@example.com;user=phone']) {
          assert.equal((await locations.get(spelling, T0)).length, 1, spelling);
        }
        assert.equal((await locations.get('sip:Alice@example.com', T0)).length, 0);
        assert.equal((await locations.get(AOR, T0))[0]?.aor, 'sip:alice@example.com');
        await assert.rejects(locations.get('tel:+15551234', T0), { code: 'ERR_STORE_AOR' });
        await assert.rejects(locations.get('sip:example.com', T0), { code: 'ERR_STORE_AOR' });
      });
    });

    it('answers a query REGISTER (no Contact) with the bindings and changes nothing', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(AOR, reg('c', 1, { contact: 'sip:a@h', expiresAt: T0 + HOUR }), T0);
        const out = await locations.applyRegister(AOR, reg('other', 1), T0 + 5);
        assert.ok(out.ok);
        assert.deepEqual(contacts(out.bindings), ['sip:a@h']);
        assert.equal(out.bindings[0]?.callId, 'c');
        assert.deepEqual([out.added, out.refreshed, out.removed], [[], [], []]);
      });
    });

    it('treats an expired binding as gone: re-registering it adds, the guard never sees it', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(AOR, reg('c', 1, { contact: 'sip:a@h', expiresAt: T0 + 10 }), T0);
        let seen = -1;
        const out = await locations.applyRegister(
          AOR,
          reg('c', 1, { contact: 'sip:a@h', expiresAt: T0 + HOUR }),
          T0 + 10,
          (plan) => {
            seen = plan.current.length;
            return undefined;
          },
        );
        assert.equal(seen, 0);
        assert.ok(out.ok);
        assert.equal(out.added.length, 1);
        assert.equal(out.refreshed.length, 0);
      });
    });

    it('runs the guard on the plan and writes nothing when it refuses', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        // The registrar's section 10.3 step 7 check, as it would write it with the plan.
        const rfc3261Order = (plan: Parameters<NonNullable<Parameters<typeof locations.applyRegister>[3]>>[0]) => {
          for (const hit of plan.matches) {
            for (const b of hit) {
              if (b.callId === plan.update.callId && plan.update.cseq <= b.cseq) {
                return { status: 500, reason: `CSeq ${plan.update.cseq} not above ${b.cseq} for this Call-ID` };
              }
            }
          }
          return undefined;
        };
        await locations.applyRegister(AOR, reg('c', 5, { contact: 'sip:a@h', expiresAt: T0 + HOUR }), T0, rfc3261Order);
        const stale = await locations.applyRegister(
          AOR,
          reg('c', 5, { contact: 'sip:a@h', expiresAt: T0 }, { contact: 'sip:b@h', expiresAt: T0 + HOUR }),
          T0 + 1,
          rfc3261Order,
        );
        assert.equal(stale.ok, false);
        assert.ok(!stale.ok);
        assert.equal(stale.rejection.status, 500);
        assert.deepEqual(contacts(stale.bindings), ['sip:a@h']);
        assert.deepEqual(contacts(await locations.get(AOR, T0 + 1)), ['sip:a@h']);
        // Another Call-ID (the UA rebooted) may update whatever its CSeq.
        const fromReboot = await locations.applyRegister(
          AOR,
          reg('c2', 1, { contact: 'sip:a@h', expiresAt: T0 + 2 * HOUR }),
          T0 + 2,
          rfc3261Order,
        );
        assert.ok(fromReboot.ok);
        assert.equal(fromReboot.bindings[0]?.callId, 'c2');

        // The plan shows current bindings, per-contact matches and the result before anything is written.
        const out = await locations.applyRegister(
          AOR,
          reg(
            'c3',
            1,
            { contact: 'sip:A@H', expiresAt: T0 + HOUR, q: 0.1 },
            { contact: 'SIP:a@H', expiresAt: T0 + HOUR },
          ),
          T0 + 3,
          (plan) => {
            assert.equal(plan.aor, AOR);
            assert.equal(plan.now, T0 + 3);
            assert.deepEqual(contacts(plan.current), ['sip:a@h']);
            assert.deepEqual(plan.matches.map(contacts), [[], ['sip:a@h']]);
            assert.deepEqual(contacts(plan.resulting), ['SIP:a@H', 'sip:A@H']);
            return { status: 403, reason: 'too many contacts' };
          },
        );
        assert.equal(out.ok, false);
        assert.deepEqual(contacts(await locations.get(AOR, T0 + 3)), ['sip:a@h']);
      });
    });

    it('rejects bad bindings with ERR_STORE_RECORD and leaves the AOR untouched', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(AOR, reg('c', 1, { contact: 'sip:a@h', expiresAt: T0 + HOUR }), T0);
        for (const bad of [
          { contact: 'sip:b@h', expiresAt: T0 + HOUR, q: 1.5 },
          { contact: '', expiresAt: T0 + HOUR },
          { contact: 'sip:b@h', expiresAt: Number.NaN },
          { contact: 'sip:b@h', expiresAt: T0 + HOUR, regId: 0 },
        ]) {
          await assert.rejects(
            locations.applyRegister(AOR, reg('c', 2, { contact: 'sip:c@h', expiresAt: T0 + HOUR }, bad), T0),
            { code: 'ERR_STORE_RECORD' },
            JSON.stringify(bad),
          );
        }
        await assert.rejects(locations.applyRegister(AOR, reg('', 2), T0), { code: 'ERR_STORE_RECORD' });
        await assert.rejects(
          locations.applyRegister(
            AOR,
            { callId: 'c', cseq: 3, removeAll: true, contacts: [{ contact: 'sip:x@h', expiresAt: T0 }] },
            T0,
          ),
          { code: 'ERR_STORE_RECORD' },
        );
        assert.deepEqual(contacts(await locations.get(AOR, T0)), ['sip:a@h']);
      });
    });

    it('lists every live binding by AOR, with a limit', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        await locations.applyRegister(
          'sip:carol@example.com',
          reg('c', 1, { contact: 'sip:c@h', expiresAt: T0 + HOUR }),
          T0,
        );
        await locations.applyRegister(
          AOR,
          reg(
            'a',
            1,
            { contact: 'sip:a1@h', expiresAt: T0 + HOUR, q: 0.1 },
            { contact: 'sip:a2@h', expiresAt: T0 + HOUR },
          ),
          T0,
        );
        await locations.applyRegister(
          'sip:bob@example.com',
          reg('b', 1, { contact: 'sip:b@h', expiresAt: T0 + 1 }),
          T0,
        );
        assert.deepEqual(contacts(await locations.list(T0 + 1)), ['sip:a2@h', 'sip:a1@h', 'sip:c@h']);
        assert.deepEqual(contacts(await locations.list(T0, 2)), ['sip:a2@h', 'sip:a1@h']);
      });
    });

    it('upsert() adds and replaces by the same matching rules', async () => {
      await withDatabase(harness, async (db) => {
        const { locations } = await db.open();
        const base = { aor: AOR, callId: 'x', cseq: 1, expiresAt: T0 + HOUR };
        const first = await locations.upsert({ ...base, contact: 'sip:a@h;transport=tcp' }, T0);
        assert.equal(first.aor, AOR);
        assert.equal(first.updatedAt, T0);
        await locations.upsert({ ...base, contact: 'sip:a@H;TRANSPORT=TCP', expiresAt: T0 + 2 * HOUR }, T0 + 1);
        await locations.upsert({ ...base, contact: 'sip:b@h' }, T0 + 2);
        const got = await locations.get(AOR, T0 + 2);
        assert.deepEqual(contacts(got), ['sip:b@h', 'sip:a@H;TRANSPORT=TCP']);
        assert.equal(got[1]?.expiresAt, T0 + 2 * HOUR);
      });
    });

    it('keeps every binding, with its original expiry, across close and reopen', async () => {
      await withDatabase(harness, async (db) => {
        const first = await db.open();
        await first.locations.applyRegister(
          AOR,
          reg(
            'c',
            9,
            {
              contact: 'sip:alice@10.0.0.1;ob',
              expiresAt: T0 + 3_600_123,
              q: 0.5,
              path: ['<sip:p@e;lr>'],
              instanceId: '<urn:x>',
              regId: 1,
            },
            { contact: 'sip:alice@10.0.0.2', expiresAt: T0 + 1_800_000 },
          ),
          T0,
        );
        const before = await first.locations.get(AOR, T0);
        await first.close();
        await assert.rejects(first.locations.get(AOR, T0), { code: 'ERR_STORE_CLOSED' });
        const second = await db.open();
        const after = await second.locations.get(AOR, T0 + 1000);
        assert.deepEqual(after, before);
        assert.equal(after[1]?.expiresAt, T0 + 3_600_123);
      });
    });

    it('shows one instance the bindings another instance wrote to the same database', async () => {
      await withDatabase(harness, async (db) => {
        const a = await db.open();
        const b = await db.open();
        await a.locations.applyRegister(AOR, reg('c', 1, { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + HOUR }), T0);
        assert.deepEqual(contacts(await b.locations.get(AOR, T0)), ['sip:alice@10.0.0.1']);
        const out = await b.locations.applyRegister(
          AOR,
          reg('c', 2, { contact: 'sip:alice@10.0.0.1', expiresAt: T0 + 2 * HOUR }),
          T0 + 1,
        );
        assert.ok(out.ok);
        assert.equal(out.refreshed.length, 1);
        assert.equal((await a.locations.get(AOR, T0 + 1))[0]?.cseq, 2);
      });
    });
  });
}
