/**
 * A registration binding kept alive (RFC 3261 section 10.2): REGISTER with one Call-ID for all
 * refreshes and CSeq incremented each time (10.2.4), the expiry the registrar granted read from
 * the Contact's expires parameter or Expires header (10.2.4), refresh before it runs out, 423
 * Interval Too Brief answered by retrying with Min-Expires (10.2.8), digest challenges answered
 * through the UA's authenticator, and unregistration with Expires: 0.
 */
import { createRequest, type IncomingResponse, NameAddr, type OutgoingRequest, type Uri } from '../sip/index.js';
import type { TimerHandle } from '../util/clock.js';
import { Emitter } from '../util/emitter.js';
import { newCallId } from '../util/ids.js';
import type { UaContext } from './ua-context.js';

export interface RegistrationOptions {
  /** Registrar URI (Request-URI of REGISTER), e.g. sip:example.com. */
  readonly registrar: Uri;
  /** Next hops (outbound proxy) when not the registrar itself. */
  readonly nextHops?: readonly Uri[];
  /** Requested expiry, seconds (default 3600). */
  readonly expires?: number;
  /** Refresh when this fraction of the granted interval has passed (default 0.9, at least 1 s early). */
  readonly refreshRatio?: number;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'unregistering' | 'failed';

export type RegisterResult =
  | { readonly ok: true; readonly expires: number; readonly contacts: readonly NameAddr[] }
  | { readonly ok: false; readonly status: number | undefined; readonly reason: string };

export interface RegistrationEvents {
  [event: string]: unknown[];
  registered: [expires: number, contacts: readonly NameAddr[]];
  unregistered: [];
  failed: [status: number | undefined, reason: string];
}

export class Registration {
  readonly events = new Emitter<RegistrationEvents>();
  private readonly callId = newCallId();
  private cseq = 1;
  private stateValue: RegistrationState = 'unregistered';
  private refresh: TimerHandle | undefined;
  private expires: number;

  constructor(
    private readonly ua: UaContext,
    private readonly options: RegistrationOptions,
  ) {
    this.expires = options.expires ?? 3600;
  }

  get state(): RegistrationState {
    return this.stateValue;
  }

  /** Registers (or refreshes); resolves with what the registrar granted. */
  register(): Promise<RegisterResult> {
    this.stateValue = 'registering';
    return this.send(this.expires).then((r) => {
      if (r.ok) {
        this.stateValue = 'registered';
        this.schedule(r.expires);
        this.events.emit('registered', r.expires, r.contacts);
      } else {
        this.stateValue = 'failed';
        this.events.emit('failed', r.status, r.reason);
      }
      return r;
    });
  }

  /** Removes our binding (Expires: 0) and stops refreshing. */
  unregister(): Promise<RegisterResult> {
    this.refresh?.cancel();
    this.refresh = undefined;
    this.stateValue = 'unregistering';
    return this.send(0).then((r) => {
      this.stateValue = r.ok ? 'unregistered' : 'failed';
      if (r.ok) this.events.emit('unregistered');
      return r;
    });
  }

  /** Stops refreshing without unregistering (shutdown where the binding may expire on its own). */
  stop(): void {
    this.refresh?.cancel();
    this.refresh = undefined;
  }

  private schedule(granted: number): void {
    this.refresh?.cancel();
    if (granted <= 0) return;
    const ratio = this.options.refreshRatio ?? 0.9;
    const delayMs = Math.max(1000, Math.min(granted * ratio, granted - 1) * 1000);
    this.refresh = this.ua.clock.setTimer(delayMs, () => {
      void this.register();
    });
  }

  private build(expires: number): OutgoingRequest {
    const req = createRequest({
      method: 'REGISTER',
      uri: this.options.registrar,
      from: this.ua.identity,
      to: new NameAddr(this.ua.identity.uri, { displayName: this.ua.identity.displayName }),
      callId: this.callId,
      cseq: this.cseq++,
      contact: this.ua.contact(),
    });
    req.set('expires', expires);
    req.setRaw('User-Agent', this.ua.userAgent);
    req.set('allow', [...this.ua.allow]);
    return req;
  }

  private send(expires: number, retried423 = false): Promise<RegisterResult> {
    const template = this.build(expires);
    const hops = this.options.nextHops ?? (this.ua.proxies.length > 0 ? this.ua.proxies : [this.options.registrar]);
    return new Promise((resolve) => {
      const flow = this.ua.send(template, hops, {
        onResponse: (res) => {
          if (res.status < 200) return;
          // Keep our CSeq ahead of any the flow used for digest retries (section 10.2.4).
          this.cseq = Math.max(this.cseq, (flow.request?.cseq.seq ?? 0) + 1);
          if (res.status === 423 && !retried423) {
            const min = res.get('min-expires');
            if (min !== undefined && min > expires) {
              this.expires = min;
              this.send(min, true).then(resolve);
              return;
            }
          }
          if (res.status >= 300) {
            resolve({ ok: false, status: res.status, reason: res.reason });
            return;
          }
          resolve({ ok: true, expires: grantedExpiry(res, this.ua.contact(), expires), contacts: res.get('contact') });
        },
        onFailure: (f) => resolve({ ok: false, status: f.status, reason: f.kind }),
      });
    });
  }
}

/** The expiry granted to our contact: its expires parameter, else the Expires header (section 10.2.4). */
function grantedExpiry(res: IncomingResponse, ours: NameAddr, asked: number): number {
  for (const c of res.get('contact')) {
    if (!c.uri.equals(ours.uri)) continue;
    const e = c.params.get('expires');
    if (typeof e === 'string' && /^[0-9]+$/.test(e)) return Number(e);
  }
  return res.get('expires') ?? asked;
}
