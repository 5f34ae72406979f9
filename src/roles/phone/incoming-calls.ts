/**
 * Incoming calls on the phone: do not disturb (486 by default), busy when every line is taken or
 * call waiting is off (486 Busy Here, seed B-17), otherwise 180 Ringing (call waiting when another
 * call is up, seed B-5), and auto-answer after its delay once no other call is established. An
 * INVITE with Replaces (RFC 3891) is answered by the UA itself; the new call takes the place of
 * the one it replaces.
 */
import type { Call } from '../../ua/index.js';
import type { Phone } from './phone.js';

export class IncomingCalls {
  constructor(private readonly phone: Phone) {}

  onIncoming(call: Call): void {
    const pc = this.phone.track(call);
    const others = this.phone.active().filter((c) => c !== pc);
    const referredBy = call.inviteRequest?.tryGet('referred-by');
    const requestedBy = call.inviteRequest?.tryGet('requested-by');
    this.phone.emitCall(pc, {
      event: 'incoming',
      waiting: others.length > 0,
      ...(referredBy?.ok && referredBy.value ? { referredBy: referredBy.value.toString() } : {}),
      ...(requestedBy?.ok && requestedBy.value ? { requestedBy: requestedBy.value.toString() } : {}),
    });
    if (this.phone.config.dnd) {
      pc.localCause = 'dnd';
      call.reject(this.phone.config.dndStatus);
      return;
    }
    if (others.length >= this.phone.config.lines || (others.length > 0 && !this.phone.config.callWaiting)) {
      // RFC 3261 section 21.4.7: 486 Busy Here, "the callee's end system was contacted
      // successfully, but the callee is currently not willing or able to take additional calls".
      pc.localCause = 'busy';
      call.reject(486);
      return;
    }
    call.ring();
    this.autoAnswer();
  }

  /**
   * Auto-answer (intercom, tests) picks up a ringing call once the phone has no established call:
   * at once for a call to an idle phone, or when the call in progress ends.
   */
  autoAnswer(): void {
    const delay = this.phone.config.autoAnswerMs;
    if (delay === null || this.phone.active().some((c) => c.established)) return;
    for (const pc of this.phone.active()) {
      if (!pc.alerting || pc.autoAnswering) continue;
      pc.autoAnswering = true;
      pc.timers.push(this.phone.clock.setTimer(delay, () => void this.phone.answer(pc.id)));
    }
  }

  onReplaced(call: Call, old: Call): void {
    const pc = this.phone.track(call);
    const oldPc = [...this.phone.allCalls()].find((c) => c.call === old);
    // The UA hangs the replaced call up itself (BYE after the ACK): report why it ends.
    if (oldPc) oldPc.localCause = 'replaced';
    const cur = this.phone.current();
    if (!cur || cur === oldPc) this.phone.setCurrent(pc);
    this.phone.emitCall(pc, { event: 'incoming', waiting: false, replaces: true });
    this.phone.route();
    this.phone.emitCall(pc, { event: 'established' });
  }
}
