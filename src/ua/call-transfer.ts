/**
 * Call transfer for one call: REFER with its implicit subscription (RFC 3515), Referred-By
 * (RFC 3892), Replaces in the Refer-To URI for attended transfer (RFC 3891), NOTIFY bodies of type
 * message/sipfrag, and the BYE + Also fallback of pre-REFER Cisco phones.
 *
 * Transferor: sends REFER; a 2xx creates the subscription usage "refer;id=<CSeq>" in the dialog
 * (RFC 3515 section 2.4.6), which keeps the dialog alive after the BYE that blind transfer sends
 * right after the 202 (the seeds' NOTIFY after BYE); each NOTIFY is answered 200 and reported; the
 * subscription ends with Subscription-State: terminated.
 *
 * Transferee: an incoming REFER becomes an IncomingTransfer for the application; accepting sends
 * 202 and a first NOTIFY "SIP/2.0 100 Trying"; the application reports the new call through the
 * notifier, whose final status ends the subscription (reason=noresource).
 */
import type { Dialog } from '../dialog/index.js';
import {
  escapePercent,
  type IncomingRequest,
  NameAddr,
  type OutgoingRequest,
  Params,
  type ReplacesValue,
  SipUri,
  type Uri,
} from '../sip/index.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { Call } from './call.js';
import type { IncomingTransfer, TransferNotifier } from './call-events.js';
import type { ReferProgress, TransferResult } from './types.js';
import type { UaContext } from './ua-context.js';

/** Characters left unescaped in a URI header value (hnv-unreserved / unreserved). */
const HNV = (() => {
  const t = new Uint8Array(128);
  for (const c of "-_.!~*'()[]/?:+$") t[c.charCodeAt(0)] = 1;
  for (let i = 0x30; i <= 0x39; i++) t[i] = 1;
  for (let i = 0x41; i <= 0x5a; i++) t[i] = 1;
  for (let i = 0x61; i <= 0x7a; i++) t[i] = 1;
  return t;
})();

/** Refer-To for an attended transfer: the target's URI with `?Replaces=<callid;to-tag;from-tag>` (RFC 3891 section 6.2). */
export function referToWithReplaces(target: Uri, consultation: Dialog): NameAddr {
  // The Replaces names the consultation dialog as the target sees it: to-tag is the target's
  // own tag (our remote tag), from-tag ours.
  const value = `${consultation.callId};to-tag=${consultation.remoteTag};from-tag=${consultation.localTag}`;
  const uri =
    target instanceof SipUri ? target.with({ headers: new Params([['Replaces', escapePercent(value, HNV)]]) }) : target;
  return new NameAddr(uri);
}

/** Parses the status line of a message/sipfrag body ("SIP/2.0 200 OK"). */
export function parseSipfragStatus(body: string): { status: number; reason: string } | undefined {
  const m = /^SIP\/2\.0 ([1-6][0-9]{2}) ?([^\r\n]*)/.exec(body.trimStart());
  return m ? { status: Number(m[1]), reason: m[2] ?? '' } : undefined;
}

const SUBSCRIPTION_GUARD_MS = 60_000;

interface Subscription {
  readonly id: string;
  readonly resolve: (p: ReferProgress | undefined) => void;
  done: boolean;
}

export class CallTransfer {
  /** REFER subscriptions we created (transferor side), by event id. */
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly ua: UaContext,
    private readonly call: Call,
  ) {}

  private get dialog(): Dialog | undefined {
    return this.call.dialog;
  }

  // ---------------------------------------------------------------- transferor

  refer(referTo: NameAddr, consultation: Call | undefined, fallbackToAlso: boolean): Promise<TransferResult> {
    const dialog = this.dialog;
    if (!dialog || this.call.state !== 'established') {
      return Promise.resolve({ ok: false, method: 'refer', status: undefined, reason: `call is ${this.call.state}` });
    }
    const target = consultation?.dialog ? referToWithReplaces(referTo.uri, consultation.dialog) : referTo;
    const req = dialog.createRequest('REFER');
    req.set('refer-to', target);
    req.set('referred-by', new NameAddr(this.ua.identity.uri));
    req.setRaw('User-Agent', this.ua.userAgent);
    return new Promise((resolve) => {
      const flow = this.ua.sendInDialog(dialog, req, {
        onResponse: (res) => {
          if (res.status < 200) return;
          if (res.status < 300) {
            const sent = flow.request as OutgoingRequest;
            const id = String(sent.cseq.seq);
            let settle: (p: ReferProgress | undefined) => void = () => {};
            const completion = new Promise<ReferProgress | undefined>((r) => (settle = r));
            const sub: Subscription = { id, resolve: settle, done: false };
            this.subscriptions.set(id, sub);
            dialog.addUsage(`refer;id=${id}`);
            // RFC 3515 section 2.4.4: the implicit subscription lasts as long as the transferee
            // says; without any NOTIFY we give up after a minute rather than keep the dialog forever.
            const guard = this.ua.clock.setTimer(SUBSCRIPTION_GUARD_MS, () => {
              if (sub.done) return;
              sub.done = true;
              settle(undefined);
              this.subscriptions.delete(id);
              dialog.removeUsage(`refer;id=${id}`);
            });
            void completion.then(() => guard.cancel());
            resolve({ ok: true, method: 'refer', status: res.status, completion });
            return;
          }
          if (fallbackToAlso && (res.status === 501 || res.status === 405 || res.status === 400)) {
            this.also(referTo).then(resolve);
            return;
          }
          resolve({ ok: false, method: 'refer', status: res.status, reason: res.reason });
        },
        onFailure: (f) => resolve({ ok: false, method: 'refer', status: f.status, reason: f.kind }),
      });
    });
  }

  /** The pre-REFER transfer: hang up with `Also: <target>` (draft-ietf-sip-cc-transfer-00, Cisco). */
  private also(target: NameAddr): Promise<TransferResult> {
    this.call.hangup({ also: [target] });
    return this.call
      .waitEnded()
      .then((end) =>
        end.status !== undefined && end.status >= 200 && end.status < 300
          ? { ok: true, method: 'also', status: end.status, completion: Promise.resolve(undefined) }
          : { ok: false, method: 'also', status: end.status, reason: end.text ?? end.reason },
      );
  }

  private onNotify(request: IncomingRequest, tx: ServerTransaction): void {
    const event = request.tryGet('event');
    if (!event.ok || !event.value || event.value.type.toLowerCase() !== 'refer') {
      tx.respond(this.call.inDialogResponse(request, 489));
      return;
    }
    const id = event.value.params.getUnquoted('id') ?? [...this.subscriptions.keys()][0] ?? '';
    const sub = this.subscriptions.get(id);
    if (!sub) {
      tx.respond(this.call.inDialogResponse(request, 481));
      return;
    }
    tx.respond(this.call.inDialogResponse(request, 200));
    const state = request.tryGet('subscription-state');
    const terminated = state.ok && state.value?.state === 'terminated';
    const frag = parseSipfragStatus(request.bodyText);
    const final = terminated || (frag !== undefined && frag.status >= 200);
    const progress: ReferProgress = { status: frag?.status ?? 0, reason: frag?.reason ?? '', final };
    this.call.events.emit('referProgress', progress);
    if (final && !sub.done) {
      sub.done = true;
      sub.resolve(progress);
    }
    if (terminated) {
      this.subscriptions.delete(id);
      this.dialog?.removeUsage(`refer;id=${id}`);
    }
  }

  // ---------------------------------------------------------------- transferee

  private onRefer(request: IncomingRequest, tx: ServerTransaction): void {
    const dialog = this.dialog;
    const referTo = request.tryGet('refer-to');
    if (!dialog || !referTo.ok || !referTo.value || request.count('refer-to') !== 1) {
      // RFC 3515 section 2.4.1: exactly one Refer-To, else 400.
      tx.respond(this.call.inDialogResponse(request, 400));
      return;
    }
    const referredBy = request.tryGet('referred-by');
    const uri = referTo.value.uri;
    let replaces: ReplacesValue | undefined;
    const replacesText = uri instanceof SipUri ? uri.header('Replaces') : undefined;
    if (replacesText !== undefined) {
      const parsed = parseReplacesText(replacesText);
      if (!parsed) {
        tx.respond(this.call.inDialogResponse(request, 400));
        return;
      }
      replaces = parsed;
    }
    const id = String(request.cseq.seq);
    let decided = false;
    const incoming: IncomingTransfer = {
      referTo: referTo.value,
      target: uri instanceof SipUri ? uri.with({ headers: Params.empty }) : uri,
      replaces,
      referredBy: referredBy.ok ? referredBy.value : undefined,
      accept: (options = {}) => {
        if (!decided) {
          decided = true;
          tx.respond(this.call.inDialogResponse(request, 202));
          dialog.addUsage(`refer-notifier;id=${id}`);
        }
        const notifier = this.notifier(dialog, id);
        if (options.notifyTrying !== false) notifier.notify(100, 'Trying');
        return notifier;
      },
      reject: (status = 603) => {
        if (decided) return;
        decided = true;
        tx.respond(this.call.inDialogResponse(request, status));
      },
    };
    if (!this.call.events.emit('transferRequested', incoming) && !decided) incoming.reject(603);
  }

  private notifier(dialog: Dialog, id: string): TransferNotifier {
    let ended = false;
    return {
      notify: (status: number, reason?: string) => {
        if (ended || dialog.state === 'Terminated') return;
        const final = status >= 200;
        if (final) ended = true;
        const notify = dialog.createRequest('NOTIFY', {
          body: `SIP/2.0 ${status} ${reason ?? defaultReason(status)}\r\n`,
          contentType: 'message/sipfrag;version=2.0',
        });
        notify.setRaw('Event', `refer;id=${id}`);
        notify.setRaw('Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=60');
        notify.setRaw('User-Agent', this.ua.userAgent);
        const done = () => {
          if (final) dialog.removeUsage(`refer-notifier;id=${id}`);
        };
        this.ua.sendInDialog(dialog, notify, {
          onResponse: (res) => {
            if (res.status >= 200) done();
          },
          onFailure: done,
        });
      },
    };
  }

  /** REFER and NOTIFY within the call's dialog. */
  onRequest(request: IncomingRequest, tx: ServerTransaction): void {
    if (request.method === 'REFER') this.onRefer(request, tx);
    else this.onNotify(request, tx);
  }
}

function defaultReason(status: number): string {
  return status === 100
    ? 'Trying'
    : status === 180
      ? 'Ringing'
      : status === 200
        ? 'OK'
        : status === 487
          ? 'Request Terminated'
          : 'Failed';
}

function parseReplacesText(text: string): ReplacesValue | undefined {
  const parts = text.split(';').map((p) => p.trim());
  const callId = parts[0] ?? '';
  const entries: [string, string | null][] = [];
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    entries.push(eq < 0 ? [p, null] : [p.slice(0, eq), p.slice(eq + 1)]);
  }
  const params = new Params(entries);
  if (callId.length === 0 || params.get('to-tag') == null || params.get('from-tag') == null) return undefined;
  return { callId, params };
}
