/**
 * Errors of the message layer. A SipParseError carries the status a server answers for the
 * problem (400 Bad Request by default, 505 for an unsupported version, 501 for a CSeq method
 * mismatch on an unknown method) so that a transport can reply statelessly.
 */
import { SwitchboardError } from '../util/errors.js';

export class SipParseError extends SwitchboardError {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super('ERR_SIP_PARSE', reason);
  }
}

/** Thrown by typed header access when a header that the caller needs is malformed. */
export class SipHeaderError extends SwitchboardError {
  readonly status = 400;
  constructor(
    readonly header: string,
    reason: string,
  ) {
    super('ERR_SIP_BAD_HEADER', `${header}: ${reason}`);
  }
}
