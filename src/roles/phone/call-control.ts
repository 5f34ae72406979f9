/**
 * The everyday call commands of the phone, in the vocabulary of baresip and linphonec: answer,
 * reject, hang up, hold, resume, swap / line, conference, DTMF. Each picks the call it means (the
 * one named, else the obvious one), does what the seeds' phones do, and returns a typed result.
 *
 * - answer: a waiting call is answered after the call in progress is put on hold (seed B-5
 *   steps 7-10);
 * - resume / line: going back to a held call holds the one in progress first (B-5 steps 12-17);
 * - conference: held legs are taken off hold (B-13 steps 12-14) and the phone mixes the streams
 *   (media/'s bridge, each party hears the others);
 * - reject: 486 Busy Here by default (603 Decline, 480 ... on request);
 * - dial: holds the call in progress, then INVITE; an unanswered call is cancelled after the
 *   ring timeout (seed B-18);
 * - one re-INVITE at a time per call (`exclusive`): commands wait for an exchange in flight.
 */
import type { Call } from '../../ua/index.js';
import { errorMessage } from '../../util/errors.js';
import type { DialOptions, DialResult, Phone } from './phone.js';
import type { PhoneCall } from './phone-call.js';
import { type ActionResult, failure } from './phone-results.js';

function isCall(x: PhoneCall | ActionResult): x is PhoneCall {
  return 'session' in x;
}

export class CallControl {
  constructor(private readonly phone: Phone) {}

  async answer(ref?: string): Promise<ActionResult> {
    const pc = this.phone.pick(ref, (c) => c.alerting);
    if (!isCall(pc)) return pc;
    if (!pc.alerting) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}, not ringing`);
    pc.clearTimers();
    await this.phone.holdTalking(pc);
    if (!pc.call.answer()) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} ended before it was answered`);
    this.phone.setCurrent(pc);
    return { ok: true, call: this.phone.snapshot(pc) };
  }

  reject(ref?: string, status = 486): ActionResult {
    const pc = this.phone.pick(ref, (c) => c.alerting);
    if (!isCall(pc)) return pc;
    if (status < 300 || status > 699) return failure('ERR_PHONE_CALL_STATE', `${status} is not a rejection status`);
    pc.clearTimers();
    if (!pc.call.reject(status)) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}, not ringing`);
    return { ok: true, call: this.phone.snapshot(pc) };
  }

  hangup(ref?: string): ActionResult {
    if (ref === 'all') {
      const all = this.phone.active();
      for (const pc of all) pc.call.hangup();
      return { ok: true, detail: `${all.length} call(s) hung up` };
    }
    const pc = this.phone.pick(ref, (c) => !c.ended);
    if (!isCall(pc)) return pc;
    pc.call.hangup();
    return { ok: true, call: this.phone.snapshot(pc) };
  }

  async hold(ref?: string): Promise<ActionResult> {
    const pc = this.phone.pick(ref, (c) => c.established && !c.held);
    if (!isCall(pc)) return pc;
    pc.conference = false;
    return this.phone.holdCall(pc);
  }

  async resume(ref?: string): Promise<ActionResult> {
    const pc = this.phone.pick(ref, (c) => c.established && c.held);
    if (!isCall(pc)) return pc;
    if (!pc.established) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}`);
    await this.phone.holdTalking(pc);
    const r = await this.phone.resumeCall(pc);
    if (r.ok) this.phone.setCurrent(pc);
    return r.ok ? { ok: true, call: this.phone.snapshot(pc) } : r;
  }

  /** Goes to the other call: holds the current one, resumes the held one (two calls). */
  async swap(): Promise<ActionResult> {
    const cur = this.phone.current();
    const others = this.phone.active().filter((c) => c !== cur && c.established);
    if (others.length === 0) return failure('ERR_PHONE_NO_CALL', 'no other call to swap to');
    if (others.length > 1)
      return failure('ERR_PHONE_AMBIGUOUS', `several calls (${others.map((c) => c.id).join(', ')}): use line <id>`);
    return this.resume((others[0] as PhoneCall).id);
  }

  /** Selects a call: answers it if it rings, resumes it if held, else makes it current. */
  async line(ref: string): Promise<ActionResult> {
    const pc = this.phone.get(ref);
    if (!pc || pc.ended) return failure('ERR_PHONE_NO_CALL', `no call ${ref}`);
    if (pc.alerting) return this.answer(ref);
    if (pc.established) return this.resume(ref);
    this.phone.setCurrent(pc);
    return { ok: true, call: this.phone.snapshot(pc) };
  }

  /** Local 3-way (N-way) conference of every established call: B-13's "phone B mixes the two RTP channels". */
  async conference(refs?: readonly string[]): Promise<ActionResult> {
    const legs =
      refs && refs.length > 0
        ? refs.map((r) => this.phone.get(r)).filter((c): c is PhoneCall => c?.established === true)
        : this.phone.active().filter((c) => c.established);
    if (legs.length < 2) return failure('ERR_PHONE_NO_CALL', 'a conference needs two established calls');
    for (const leg of legs) {
      const r = await this.phone.resumeCall(leg);
      if (!r.ok) return r;
    }
    for (const leg of legs) leg.conference = true;
    this.phone.setCurrent(legs[legs.length - 1]);
    this.phone.emit({ event: 'conference', calls: legs.map((c) => c.id), state: 'started' });
    return { ok: true, detail: `conference of calls ${legs.map((c) => c.id).join(', ')}` };
  }

  /** RFC 4733 digits on the current call. */
  dtmf(digits: string, ref?: string): ActionResult {
    if (!/^[0-9*#A-Da-d!]+$/.test(digits)) return failure('ERR_PHONE_TARGET', `not DTMF digits: ${digits}`);
    const pc = this.phone.pick(ref, (c) => c.established);
    if (!isCall(pc)) return pc;
    if (!pc.session.sendDtmf(digits.toUpperCase()))
      return failure('ERR_PHONE_CALL_STATE', 'telephone-event was not negotiated on this call');
    return { ok: true, call: this.phone.snapshot(pc), detail: `sent ${digits}` };
  }

  /** Starts a call: dial plan, route, ring timeout (the seeds' "CANCEL (Ring Timeout)"). */
  async dial(target: string, options: DialOptions = {}): Promise<DialResult> {
    if (this.phone.isStopped) return failure('ERR_PHONE_STOPPED', 'the phone is stopped') as DialResult;
    if (this.phone.active().filter((c) => c !== options.takesOver).length >= this.phone.config.lines)
      return failure('ERR_PHONE_LINES_BUSY', `all ${this.phone.config.lines} lines are in use`) as DialResult;
    const r = this.phone.resolveTarget(target);
    if (!r.ok) return failure('ERR_PHONE_TARGET', r.error) as DialResult;
    if (options.holdCurrent !== false) await this.holdTalking();
    let call: Call;
    try {
      call = await this.phone.ua.call(r.route.uri, {
        proxies: r.route.proxies,
        ...(options.referredBy ? { referredBy: options.referredBy } : {}),
        ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
        ...(options.replaces ? { replaces: options.replaces } : {}),
      });
    } catch (err) {
      return failure('ERR_PHONE_TARGET', `cannot place the call: ${errorMessage(err)}`) as DialResult;
    }
    const pc = this.phone.track(call);
    this.phone.setCurrent(pc);
    if (this.phone.config.ringTimeoutMs > 0) {
      pc.timers.push(
        this.phone.clock.setTimer(this.phone.config.ringTimeoutMs, () => {
          if (pc.established || pc.ended) return;
          // The seeds' "CANCEL (Ring Timeout)": the caller gives up (RFC 3261 section 9.1).
          pc.localCause = 'ring-timeout';
          call.cancel();
        }),
      );
    }
    this.phone.emitCall(pc, {
      event: 'dialing',
      target: r.route.uri.toString(),
      route: r.route.route,
      ...(r.route.template ? { template: r.route.template } : {}),
    });
    return { ok: true, call: this.phone.snapshot(pc) };
  }

  /** Holds the call (or conference) the handset talks to, if any: what a phone does before another call. */
  async holdTalking(except?: PhoneCall): Promise<void> {
    const talking = [...new Set([this.phone.current(), ...this.phone.inConference()])].filter(
      (c): c is PhoneCall => c !== undefined && c !== except && c.established && !c.held,
    );
    for (const c of talking) c.conference = false;
    await Promise.all(talking.map((c) => this.holdCall(c)));
  }

  /** One re-INVITE at a time per call: waits for any exchange in flight first. */
  async exclusive<T>(pc: PhoneCall, fn: () => Promise<T>): Promise<T> {
    while (pc.busy) await pc.busy;
    const p = fn();
    pc.busy = p;
    try {
      return await p;
    } finally {
      if (pc.busy === p) pc.busy = undefined;
    }
  }

  async holdCall(pc: PhoneCall): Promise<ActionResult> {
    return this.exclusive(pc, async () => {
      if (!pc.established) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}`);
      if (pc.held) return { ok: true, call: this.phone.snapshot(pc), detail: 'already held' };
      const r = await pc.call.hold();
      this.phone.route();
      if (!r.ok) return failure('ERR_PHONE_REFUSED', `hold refused: ${r.reason}`, r.status);
      this.phone.emitCall(pc, { event: 'held' });
      return { ok: true, call: this.phone.snapshot(pc) };
    });
  }

  async resumeCall(pc: PhoneCall): Promise<ActionResult> {
    return this.exclusive(pc, async () => {
      if (!pc.established) return failure('ERR_PHONE_CALL_STATE', `call ${pc.id} is ${pc.state}`);
      if (!pc.held) return { ok: true, call: this.phone.snapshot(pc), detail: 'not held' };
      const r = await pc.call.resume();
      this.phone.route();
      if (!r.ok) return failure('ERR_PHONE_REFUSED', `resume refused: ${r.reason}`, r.status);
      this.phone.emitCall(pc, { event: 'resumed' });
      return { ok: true, call: this.phone.snapshot(pc) };
    });
  }
}
