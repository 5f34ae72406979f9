/** The ForwardingStore behaviour every backend must show: CRUD per user and kind, validation, persistence. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StoreHarness, T0, withDatabase } from './store-harness.js';

export function describeForwardingStore(harness: StoreHarness): void {
  describe(`ForwardingStore (${harness.name})`, () => {
    it('sets, replaces, reads, disables and clears rules per user and kind', async () => {
      await withDatabase(harness, async (db) => {
        const { forwarding } = await db.open();
        const cfu = await forwarding.set({
          user: 'Alice@EXAMPLE.com',
          kind: 'unconditional',
          target: 'sip:+4930123@gw.example.com',
        });
        assert.deepEqual(cfu, {
          user: 'sip:Alice@example.com',
          kind: 'unconditional',
          target: 'sip:+4930123@gw.example.com',
          noAnswerTimeoutSec: null,
          enabled: true,
          updatedAt: T0,
        });
        await forwarding.set({
          user: 'sip:Alice@example.com',
          kind: 'no-answer',
          target: 'sip:voicemail@example.com',
          noAnswerTimeoutSec: 20,
        });
        await forwarding.set({ user: 'sip:Alice@example.com', kind: 'busy', target: 'tel:+4930999' });
        await forwarding.set({
          user: 'sip:bob@example.com',
          kind: 'unavailable',
          target: 'sip:bob-mobile@example.com',
        });
        assert.deepEqual(
          (await forwarding.list('sip:Alice@example.com;transport=tcp')).map((r) => r.kind),
          ['unconditional', 'busy', 'no-answer'],
        );
        assert.deepEqual(
          (await forwarding.list()).map((r) => `${r.user} ${r.kind}`),
          [
            'sip:Alice@example.com unconditional',
            'sip:Alice@example.com busy',
            'sip:Alice@example.com no-answer',
            'sip:bob@example.com unavailable',
          ],
        );
        assert.equal((await forwarding.get('sip:Alice@example.com', 'no-answer'))?.noAnswerTimeoutSec, 20);
        assert.equal(
          await forwarding.get('sip:alice@example.com', 'busy'),
          undefined,
          'the user part is case-sensitive',
        );

        // *73: deactivate and keep the target; *72 with a new target replaces it.
        assert.equal(await forwarding.setEnabled('sip:Alice@example.com', 'unconditional', false), true);
        const off = await forwarding.get('sip:Alice@example.com', 'unconditional');
        assert.equal(off?.enabled, false);
        assert.equal(off?.target, 'sip:+4930123@gw.example.com');
        await forwarding.set({ user: 'sip:Alice@example.com', kind: 'unconditional', target: 'sip:carol@example.com' });
        const on = await forwarding.get('sip:Alice@example.com', 'unconditional');
        assert.equal(on?.enabled, true);
        assert.equal(on?.target, 'sip:carol@example.com');
        assert.equal((await forwarding.list('sip:Alice@example.com')).length, 3);
        assert.equal(await forwarding.setEnabled('sip:nobody@example.com', 'busy', true), false);

        assert.equal(await forwarding.clear('sip:Alice@example.com', 'busy'), 1);
        assert.equal(await forwarding.clear('sip:Alice@example.com', 'busy'), 0);
        assert.equal(await forwarding.clear('sip:Alice@example.com'), 2);
        assert.deepEqual(
          (await forwarding.list()).map((r) => r.user),
          ['sip:bob@example.com'],
        );
      });
    });

    it('refuses unknown kinds, non-SIP/tel targets and odd timeouts', async () => {
      await withDatabase(harness, async (db) => {
        const { forwarding } = await db.open();
        const user = 'sip:alice@example.com';
        await assert.rejects(forwarding.set({ user, kind: 'sometimes' as 'busy', target: 'sip:x@y' }), {
          code: 'ERR_STORE_RECORD',
        });
        await assert.rejects(forwarding.set({ user, kind: 'busy', target: 'http://example.com/' }), {
          code: 'ERR_STORE_RECORD',
        });
        await assert.rejects(forwarding.set({ user, kind: 'busy', target: 'not a uri' }), { code: 'ERR_STORE_RECORD' });
        await assert.rejects(forwarding.set({ user, kind: 'no-answer', target: 'sip:x@y', noAnswerTimeoutSec: 0 }), {
          code: 'ERR_STORE_RECORD',
        });
        await assert.rejects(forwarding.set({ user: 'tel:+123', kind: 'busy', target: 'sip:x@y' }), {
          code: 'ERR_STORE_AOR',
        });
        assert.deepEqual(await forwarding.list(), []);
      });
    });

    it('keeps rules across close and reopen', async () => {
      await withDatabase(harness, async (db) => {
        const first = await db.open();
        const rule = await first.forwarding.set({
          user: 'sip:dan@example.com',
          kind: 'no-answer',
          target: 'sip:vm@example.com',
          noAnswerTimeoutSec: 15,
        });
        await first.close();
        const second = await db.open();
        assert.deepEqual(await second.forwarding.get('dan@example.com', 'no-answer'), rule);
      });
    });
  });
}
