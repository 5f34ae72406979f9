/**
 * Call transfer as the seeds' phones do it, on both sides.
 *
 * Transferor, blind (seed B-6): hold the call (c=0.0.0.0 or a=sendonly), REFER with Refer-To and
 * Referred-By (RFC 3515, RFC 3892), BYE as soon as the 202 arrives, and keep the implicit
 * subscription to receive the NOTIFY that reports the new call (RFC 3515 section 2.4.4).
 * Transferor, attended (seed B-8, and the second version in seed 000): the transferred call is
 * on hold, the consultation call is put on hold too, then REFER with Refer-To carrying
 * `?Replaces=<consultation dialog>` (RFC 3891 section 6.2); the BYE to the transferee follows the
 * final NOTIFY (steps 24-27), and the target hangs up the consultation call itself.
 * Either way, a 501/405 to the REFER falls back to the pre-REFER method: BYE with Also (and, in
 * the attended case, BYE of the consultation call), when byeAlsoFallback is set.
 *
 * Transferee: transferStyle 'legacy' answers REFER with 501 Not Implemented (seeds B-7 and B-9);
 * otherwise 202, then INVITE the Refer-To target with Referred-By (and Replaces), and NOTIFY the
 * transferor with message/sipfrag: only the final status as the Cisco phones do, or "100 Trying"
 * first with notifyTrying (RFC 3515). A BYE carrying Also makes the phone call the Also target
 * with Requested-By naming the transferor (the Cisco BYE/Also fallback).
 */
import { NameAddr, type Uri } from '../../sip/index.js';
import type { IncomingTransfer } from '../../ua/index.js';
import type { Phone } from './phone.js';
import type { PhoneCall } from './phone-call.js';
import type { TransferPhase } from './phone-events.js';
import { type ActionResult, failure } from './phone-results.js';

type TransferExtra = {
  readonly role: 'transferor' | 'transferee';
  readonly phase: TransferPhase;
  readonly target: string;
  readonly method?: 'refer' | 'also';
  readonly status?: number;
  readonly replaces?: boolean;
  readonly otherCall?: string;
};

export class Transfers {
  constructor(private readonly phone: Phone) {}

  private report(pc: PhoneCall, extra: TransferExtra): void {
    this.phone.emitCall(pc, { event: 'transfer', ...extra });
  }

  // ---------------------------------------------------------------- transferor

  /** Blind transfer of a call (default: the current or only established one) to `target`. */
  async blind(target: string, ref?: string): Promise<ActionResult> {
    const pc = this.phone.pick(ref, (c) => c.established);
    if (!isCall(pc)) return pc;
    const route = this.phone.resolveTarget(target);
    if (!route.ok) return failure('ERR_PHONE_TARGET', route.error);
    const uri = route.route.uri;
    if (this.phone.config.holdBeforeTransfer) {
      const h = await this.phone.holdCall(pc);
      if (!h.ok) return h;
    }
    this.report(pc, { role: 'transferor', phase: 'requested', target: uri.toString(), method: 'refer' });
    const off = pc.call.events.on('referProgress', (p) =>
      this.report(pc, { role: 'transferor', phase: 'progress', target: uri.toString(), status: p.status }),
    );
    const r = await pc.call.refer(new NameAddr(uri), { fallbackToAlso: this.phone.config.byeAlsoFallback });
    if (!r.ok) {
      off();
      this.report(pc, {
        role: 'transferor',
        phase: 'failed',
        target: uri.toString(),
        method: r.method,
        ...(r.status !== undefined ? { status: r.status } : {}),
      });
      return failure('ERR_PHONE_REFUSED', `transfer refused: ${r.status ?? ''} ${r.reason}`.trim(), r.status);
    }
    if (r.method === 'also') {
      off();
      this.report(pc, {
        role: 'transferor',
        phase: 'completed',
        target: uri.toString(),
        method: 'also',
        status: r.status,
      });
      return { ok: true, call: this.phone.snapshot(pc), detail: `transferred by BYE/Also (REFER not supported)` };
    }
    this.report(pc, {
      role: 'transferor',
      phase: 'refer-accepted',
      target: uri.toString(),
      method: 'refer',
      status: r.status,
    });
    // The seeds (B-6 steps 10-12) and RFC 5589 section 6: BYE right after the 202; the REFER
    // subscription keeps the dialog alive for the NOTIFY. With byeAfterNotify the BYE waits for
    // the final NOTIFY (what baresip and linphonec do as transferors); on failure the call stays
    // held, as after a failed attended transfer.
    const byeAfterNotify = this.phone.config.byeAfterNotify;
    if (!byeAfterNotify) pc.call.hangup();
    void r.completion.then((p) => {
      off();
      const ok = p !== undefined && p.status >= 200 && p.status < 300;
      if (ok && byeAfterNotify) pc.call.hangup();
      this.report(pc, {
        role: 'transferor',
        phase: ok ? 'completed' : 'failed',
        target: uri.toString(),
        method: 'refer',
        ...(p ? { status: p.status } : {}),
      });
    });
    return { ok: true, call: this.phone.snapshot(pc), detail: 'REFER accepted' };
  }

  /**
   * Attended transfer: `ref` is the call to transfer (default: the held one), `consultRef` the
   * consultation call whose party takes it (default: the current one).
   */
  async attended(ref: string | undefined, consultRef: string | undefined): Promise<ActionResult> {
    const consult = this.phone.pick(consultRef, (c) => c.established && !c.held);
    if (!isCall(consult)) return consult;
    const pc = this.phone.pick(ref, (c) => c.established && c !== consult && c.held);
    if (!isCall(pc)) return pc;
    if (pc === consult) return failure('ERR_PHONE_CALL_STATE', 'a call cannot be transferred to itself');
    if (!consult.established || !consult.call.dialog)
      return failure('ERR_PHONE_CALL_STATE', `consultation call ${consult.id} is ${consult.state}`);
    const target: Uri = consult.call.remoteIdentity.uri;
    const targetText = target.toString();
    if (this.phone.config.holdBeforeTransfer) {
      // Seed B-8 steps 6-8 and 14-16: both calls are on hold when the REFER goes out.
      for (const c of [pc, consult]) {
        const h = await this.phone.holdCall(c);
        if (!h.ok) return h;
      }
    }
    this.report(pc, {
      role: 'transferor',
      phase: 'requested',
      target: targetText,
      method: 'refer',
      replaces: true,
      otherCall: consult.id,
    });
    const off = pc.call.events.on('referProgress', (p) =>
      this.report(pc, { role: 'transferor', phase: 'progress', target: targetText, status: p.status }),
    );
    const r = await pc.call.refer(new NameAddr(target), {
      replaces: consult.call,
      fallbackToAlso: this.phone.config.byeAlsoFallback,
    });
    if (!r.ok) {
      off();
      this.report(pc, {
        role: 'transferor',
        phase: 'failed',
        target: targetText,
        method: r.method,
        ...(r.status !== undefined ? { status: r.status } : {}),
      });
      return failure('ERR_PHONE_REFUSED', `transfer refused: ${r.status ?? ''} ${r.reason}`.trim(), r.status);
    }
    if (r.method === 'also') {
      off();
      // Seed B-9 steps 19-22: BYE/Also to the transferee, then BYE to the consultation party.
      consult.call.hangup();
      this.report(pc, { role: 'transferor', phase: 'completed', target: targetText, method: 'also', status: r.status });
      return { ok: true, call: this.phone.snapshot(pc), detail: 'transferred by BYE/Also (REFER not supported)' };
    }
    this.report(pc, {
      role: 'transferor',
      phase: 'refer-accepted',
      target: targetText,
      method: 'refer',
      status: r.status,
    });
    void r.completion.then((p) => {
      off();
      const ok = p !== undefined && p.status >= 200 && p.status < 300;
      // Seed B-8 steps 24-27: the final NOTIFY, then our BYE to the transferee. On failure both
      // calls stay (held) so that the user can go back to either.
      if (ok) pc.call.hangup();
      this.report(pc, {
        role: 'transferor',
        phase: ok ? 'completed' : 'failed',
        target: targetText,
        method: 'refer',
        ...(p ? { status: p.status } : {}),
      });
    });
    return { ok: true, call: this.phone.snapshot(pc), detail: 'REFER accepted' };
  }

  // ---------------------------------------------------------------- transferee

  onTransferRequested(pc: PhoneCall, t: IncomingTransfer): void {
    const target = t.target.toString();
    const replaces = t.replaces !== undefined;
    if (this.phone.config.transferStyle === 'legacy') {
      // Seeds B-7/B-9 step 10/18: "501 Not Implemented ... the REFER message is not supported".
      t.reject(501);
      this.report(pc, { role: 'transferee', phase: 'rejected', target, method: 'refer', status: 501, replaces });
      return;
    }
    const notifier = t.accept({ notifyTrying: this.phone.config.notifyTrying });
    this.report(pc, { role: 'transferee', phase: 'accepted', target, method: 'refer', status: 202, replaces });
    const rep = t.replaces;
    const replacesText = rep
      ? `${rep.callId};to-tag=${rep.params.getUnquoted('to-tag') ?? ''};from-tag=${rep.params.getUnquoted('from-tag') ?? ''}`
      : undefined;
    const referredBy = t.referredBy ?? pc.call.remoteIdentity.withoutParam('tag');
    void this.follow(
      pc,
      target,
      'refer',
      { referredBy, ...(replacesText ? { replaces: replacesText } : {}) },
      (status, reason) => notifier.notify(status, reason),
    );
  }

  /** A BYE with Also ended the call: call the Also target with Requested-By (the Cisco fallback). */
  onAlso(pc: PhoneCall, also: readonly NameAddr[]): void {
    const first = also[0];
    if (!first) return;
    const requestedBy = pc.call.remoteIdentity.withoutParam('tag');
    void this.follow(pc, first.uri.toString(), 'also', { requestedBy }, undefined);
  }

  private async follow(
    pc: PhoneCall,
    target: string,
    method: 'refer' | 'also',
    options: { referredBy?: NameAddr; requestedBy?: NameAddr; replaces?: string },
    notify: ((status: number, reason?: string) => void) | undefined,
  ): Promise<void> {
    if (method === 'also') this.report(pc, { role: 'transferee', phase: 'requested', target, method });
    const r = await this.phone.dial(target, { holdCurrent: false, takesOver: pc, ...options });
    if (!r.ok) {
      notify?.(503, 'Service Unavailable');
      this.report(pc, { role: 'transferee', phase: 'failed', target, method });
      return;
    }
    const next = this.phone.get(r.call.call);
    if (!next) return;
    const outcome = await next.call.waitEstablished();
    const status = outcome.ok ? 200 : (outcome.end.status ?? 500);
    notify?.(status, outcome.ok ? 'OK' : outcome.end.text);
    this.report(pc, {
      role: 'transferee',
      phase: outcome.ok ? 'completed' : 'failed',
      target,
      method,
      status,
      otherCall: next.id,
    });
  }
}

function isCall(x: PhoneCall | ActionResult): x is PhoneCall {
  return 'session' in x;
}
