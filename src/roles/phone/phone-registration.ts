/**
 * The phone's registration (RFC 3261 section 10): REGISTER at the configured registrar through
 * the UA's Registration (refresh before expiry, 423 handling, digest 401 answered by the phone's
 * DigestAuthenticator), reported as `registration` events; unregistered (Expires: 0) on `unregister`
 * and on shutdown, as baresip and linphonec do at quit.
 */
import { parseUri } from '../../sip/index.js';
import type { Registration, UserAgent } from '../../ua/index.js';
import type { PhoneConfig } from './phone-config.js';
import type { PhoneEvent } from './phone-events.js';
import { type ActionResult, failure } from './phone-results.js';

export interface RegistrationHost {
  readonly ua: UserAgent;
  readonly config: PhoneConfig;
  emit(e: PhoneEvent): void;
}

export class PhoneRegistration {
  private registration: Registration | undefined;

  constructor(private readonly host: RegistrationHost) {}

  private registrar(): string | undefined {
    return this.host.config.registrar;
  }

  private handle(): Registration | undefined {
    const registrar = this.registrar();
    if (registrar === undefined) return undefined;
    if (!this.registration) {
      this.registration = this.host.ua.registration({
        registrar: parseUri(registrar),
        expires: this.host.config.registerExpires,
      });
      // Refreshes happen on their own: report each outcome.
      this.registration.events.on('registered', (expires) =>
        this.host.emit({ event: 'registration', state: 'registered', registrar, expires }),
      );
      this.registration.events.on('failed', (status, reason) =>
        this.host.emit({
          event: 'registration',
          state: 'failed',
          registrar,
          reason,
          ...(status !== undefined ? { status } : {}),
        }),
      );
      this.registration.events.on('unregistered', () =>
        this.host.emit({ event: 'registration', state: 'unregistered', registrar }),
      );
    }
    return this.registration;
  }

  async register(): Promise<ActionResult> {
    const reg = this.handle();
    const registrar = this.registrar();
    if (!reg || registrar === undefined) return failure('ERR_PHONE_REGISTRATION', 'no registrar configured');
    this.host.emit({ event: 'registration', state: 'registering', registrar });
    const r = await reg.register();
    if (r.ok) return { ok: true, detail: `registered at ${registrar} for ${r.expires} s` };
    return failure('ERR_PHONE_REGISTRATION', `registration failed: ${r.status ?? ''} ${r.reason}`.trim(), r.status);
  }

  async unregister(): Promise<ActionResult> {
    const reg = this.registration;
    if (!reg || (reg.state !== 'registered' && reg.state !== 'registering'))
      return failure('ERR_PHONE_REGISTRATION', 'not registered');
    const r = await reg.unregister();
    if (r.ok) return { ok: true, detail: 'unregistered' };
    return failure('ERR_PHONE_REGISTRATION', `unregistration failed: ${r.status ?? ''} ${r.reason}`.trim(), r.status);
  }

  /** Shutdown: unregister if registered (bounded by the transaction timeout), stop refreshing. */
  async stop(): Promise<void> {
    const reg = this.registration;
    if (!reg) return;
    if (reg.state === 'registered') await reg.unregister();
    reg.stop();
  }
}
