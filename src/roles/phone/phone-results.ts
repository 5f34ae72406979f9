/**
 * What the phone's commands return: a typed result per action (ARCHITECTURE.md principle 11:
 * async actions returning typed results), with a stable code when the action could not be done,
 * and PhoneError for failures that stop the phone itself (start-up).
 */
import { SwitchboardError } from '../../util/errors.js';
import type { CallSnapshot } from './phone-events.js';

export type PhoneErrorCode =
  /** No call matches the command (no such id, or nothing to act on). */
  | 'ERR_PHONE_NO_CALL'
  /** Several calls could be meant: name one. */
  | 'ERR_PHONE_AMBIGUOUS'
  /** The call is not in a state that allows the action. */
  | 'ERR_PHONE_CALL_STATE'
  /** Every line is in use. */
  | 'ERR_PHONE_LINES_BUSY'
  /** The target cannot be dialled (not a URI, no route). */
  | 'ERR_PHONE_TARGET'
  /** The other side refused (re-INVITE, REFER, ...) or did not answer. */
  | 'ERR_PHONE_REFUSED'
  /** Registration is not configured or failed. */
  | 'ERR_PHONE_REGISTRATION'
  /** Start-up failed (port in use, unreadable audio file, ...). */
  | 'ERR_PHONE_START'
  /** The phone is stopped. */
  | 'ERR_PHONE_STOPPED';

export class PhoneError extends SwitchboardError {
  constructor(
    override readonly code: PhoneErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export type ActionResult =
  | { readonly ok: true; readonly call?: CallSnapshot; readonly detail?: string }
  | { readonly ok: false; readonly code: PhoneErrorCode; readonly error: string; readonly status?: number };

export function failure(code: PhoneErrorCode, error: string, status?: number): ActionResult {
  return status === undefined ? { ok: false, code, error } : { ok: false, code, error, status };
}
