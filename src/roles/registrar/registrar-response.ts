/**
 * The 200 OK to a REGISTER (RFC 3261 section 10.3 step 8): "The response MUST contain Contact
 * header field values enumerating all current bindings. Each Contact value MUST feature an
 * 'expires' parameter indicating its expiration interval chosen by the registrar. The response
 * SHOULD include a Date header field." Each binding is printed as it was registered: its URI
 * text in angle brackets, then q, the remaining seconds, and the other Contact parameters as
 * written (+sip.instance, reg-id, unknown ones: RFC 4475 cparam01). The Path of the
 * registration is echoed when the UA supports it (RFC 3327 section 5.3).
 */
import { type IncomingRequest, type OutgoingResponse, responseTo } from '../../sip/index.js';
import type { Binding } from '../../store/index.js';

/** Seconds left, rounded to the nearest second (never negative). */
export function remainingSeconds(binding: Binding, now: number): number {
  return Math.max(0, Math.round((binding.expiresAt - now) / 1000));
}

/** The Contact header value of one binding in a 200 OK. */
export function contactValue(binding: Binding, now: number): string {
  const q = binding.q === null ? '' : `;q=${binding.q}`;
  return `<${binding.contact}>${q};expires=${remainingSeconds(binding, now)}${binding.contactParams ?? ''}`;
}

export function registerOk(request: IncomingRequest, bindings: readonly Binding[], now: number): OutgoingResponse {
  const res = responseTo(request, 200);
  for (const b of bindings) res.appendRaw('Contact', contactValue(b, now));
  res.set('date', new Date(now));
  const supported = request.tryGet('supported');
  if (supported.ok && supported.value.some((t) => t.toLowerCase() === 'path')) res.copyFrom(request, 'path');
  return res;
}
