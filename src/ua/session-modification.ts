/**
 * Modifying an established session with re-INVITE (RFC 3261 section 14, RFC 3264 section 8), in
 * both directions: sending a new offer (hold, resume) and answering one. Only one offer/answer
 * exchange is outstanding at a time; an INVITE that crosses ours is answered 491 and each side
 * retries after the section 14.1 back-off; a failed exchange leaves the session as it was (the
 * media layer rolls its offer back); a re-INVITE that times out or finds no dialog ends the call.
 */
import type { Dialog } from '../dialog/index.js';
import { type IncomingRequest, type OutgoingRequest, type OutgoingResponse, responseTo } from '../sip/index.js';
import type { InviteServerTransaction } from '../transaction/index.js';
import type { TimerHandle } from '../util/clock.js';
import type { Emitter } from '../util/emitter.js';
import type { CallEvents } from './call-events.js';
import type { CallEndReason, ReinviteResult, SessionMedia } from './types.js';
import type { UaContext } from './ua-context.js';

/** What the modification needs from its call. */
export interface ModificationHost {
  readonly ua: UaContext;
  readonly media: SessionMedia;
  readonly events: Emitter<CallEvents>;
  dialog(): Dialog | undefined;
  established(): boolean;
  respond(request: IncomingRequest, status: number, headers?: readonly (readonly [string, string])[]): OutgoingResponse;
  /** The dialog is gone (481/408 to our re-INVITE): the call ends. */
  fail(status: number, text: string): void;
  /** The peer stopped answering: hang up with BYE. */
  hangUp(reason: CallEndReason): void;
}

/** How many times a re-INVITE is retried after 491 before giving up. */
const MAX_GLARE_ATTEMPTS = 5;

export class SessionModification {
  private pending: 'uac' | 'uas' | undefined;
  private glareTimer: TimerHandle | undefined;

  constructor(private readonly host: ModificationHost) {}

  /** Stops a pending glare retry (the call ended). */
  stop(): void {
    this.glareTimer?.cancel();
    this.glareTimer = undefined;
  }

  /** The ACK of our 2xx to a re-INVITE without offer arrived; true when it belonged to one. */
  onAck(): boolean {
    if (this.pending !== 'uas') return false;
    this.pending = undefined;
    return true;
  }

  /** A re-INVITE from the other side (section 14.2). */
  onReinvite(request: IncomingRequest, tx: InviteServerTransaction): void {
    const { media, ua, events } = this.host;
    if (this.pending === 'uac' || (media.offerPending && request.body.length > 0)) {
      // Section 14.2: a UAS that receives an INVITE while it has one of its own outstanding
      // "MUST return a 491 (Request Pending)".
      tx.respond(this.host.respond(request, 491));
      return;
    }
    if (this.pending === 'uas') {
      // "A UAS that receives a second INVITE before it sends the final response to a first INVITE
      // with a lower CSeq ... MUST return a 500 ... with a Retry-After" (0 to 10 s).
      tx.respond(this.host.respond(request, 500, [['Retry-After', String(Math.floor(Math.random() * 10))]]));
      return;
    }
    const heldBefore = media.remoteHold;
    let body: string;
    if (request.body.length > 0) {
      const r = media.receiveOffer(request.bodyText);
      if (!r.ok) {
        const headers: [string, string][] = r.warning
          ? [['Warning', `${r.warning.code} ${ua.aor.host} "${r.warning.text}"`]]
          : [];
        tx.respond(this.host.respond(request, r.status, headers));
        return;
      }
      body = r.answer;
    } else {
      // No offer in the re-INVITE: ours goes in the 2xx and the answer comes in the ACK (13.2.1).
      body = media.createOffer({ hold: media.localHold });
      this.pending = 'uas';
    }
    const res = responseTo(request, 200, { contact: ua.contact() });
    res.setRaw('Server', ua.userAgent);
    res.setBody(body, 'application/sdp');
    tx.respond(res, { retransmitUntilAck: true });
    if (this.pending === 'uas') return;
    media.start();
    events.emit('mediaUpdated');
    const heldNow = media.remoteHold;
    if (heldNow && !heldBefore) events.emit('remoteHold');
    if (!heldNow && heldBefore) events.emit('remoteResume');
  }

  /** Sends a re-INVITE with a new offer; on 491 retries after the section 14.1 back-off. */
  send(hold: boolean, attempt = 1): Promise<ReinviteResult> {
    const { media, ua, events } = this.host;
    const dialog = this.host.dialog();
    if (!dialog || !this.host.established()) {
      return Promise.resolve({ ok: false, status: undefined, reason: 'the call is not established' });
    }
    if (this.pending || media.offerPending) {
      return Promise.resolve({ ok: false, status: undefined, reason: 'an offer/answer exchange is in progress' });
    }
    const req = dialog.createRequest('INVITE', { body: media.createOffer({ hold }), contentType: 'application/sdp' });
    req.setRaw('User-Agent', ua.userAgent);
    this.pending = 'uac';
    return new Promise((resolve) => {
      const flow = ua.sendInDialog(dialog, req, {
        onResponse: (res) => {
          if (res.status < 200) return;
          this.pending = undefined;
          if (res.status < 300) {
            if (res.body.length > 0) media.receiveAnswer(res.bodyText);
            const sent = flow.request as OutgoingRequest;
            ua.sendAck(dialog, dialog.createRequest('ACK', { cseq: sent.cseq.seq }));
            dialog.refreshFromResponse(res);
            media.start();
            events.emit('mediaUpdated');
            resolve({ ok: true });
            return;
          }
          // Section 14.1: a non-2xx leaves the session "as if no re-INVITE had been issued".
          media.rollback();
          if (res.status === 491 && attempt < MAX_GLARE_ATTEMPTS && this.host.established()) {
            // "If the UAC is the owner of the Call-ID of the dialog ID ... it MUST wait 2.1 to 4 s;
            // if not, 0 to 2 s."
            const delay = dialog.isUac ? 2100 + Math.random() * 1900 : Math.random() * 2000;
            this.glareTimer = ua.clock.setTimer(delay, () => {
              this.glareTimer = undefined;
              this.send(hold, attempt + 1).then(resolve);
            });
            return;
          }
          if (res.status === 481 || res.status === 408) this.host.fail(res.status, res.reason);
          resolve({ ok: false, status: res.status, reason: res.reason });
        },
        onFailure: (f) => {
          this.pending = undefined;
          media.rollback();
          // Section 14.1: "If a UA receives ... a transaction timeout for a re-INVITE, it SHOULD
          // terminate the dialog" (the peer is gone).
          if (f.kind === 'timeout') this.host.hangUp('timeout');
          resolve({ ok: false, status: f.status, reason: f.kind });
        },
      });
    });
  }
}
