/**
 * The registrar role (RFC 3261 section 10.3; RFC 5626/5627 instance and reg-id; RFC 3327 Path):
 * the Registrar that answers REGISTER over a LocationStore, a stand-alone transaction user for
 * `switchboard registrar`, and the pieces tests reuse. Other roles import only from here.
 */
export { type ContactParse, contactUpdates, type ExpiryPolicy } from './contact-updates.js';
export { type GuardPolicy, registerGuard } from './register-guard.js';
export {
  Registrar,
  type RegistrarAuth,
  type RegistrarEvents,
  type RegistrarOptions,
  type RegistrarOutcome,
} from './registrar.js';
export { contactValue, registerOk, remainingSeconds } from './registrar-response.js';
export { RegistrarService } from './registrar-service.js';
