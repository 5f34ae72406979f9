/**
 * What a stateful proxy still forwards without a transaction (RFC 3261 section 16.11):
 * - the ACK of a 2xx, which is a transaction of its own end to end (section 13.2.2.4) and which
 *   no server transaction of ours matches: route processing (16.4), Max-Forwards, then to the
 *   next Route or the Request-URI, with a branch that is a function of the ACK (16.11: "the
 *   branch ... MUST be the same for retransmissions");
 * - a response that matches no client transaction (section 16.7: "If none is found, the element
 *   MUST process the response (even if it is an informational response) as a stateless proxy"):
 *   our Via comes off and the response goes where the next Via says (section 18.2.2).
 */
import { type IncomingRequest, IncomingResponse, type OutgoingResponse, SipUri } from '../../sip/index.js';
import type { TransactionLayer } from '../../transaction/index.js';
import type { Logger } from '../../util/index.js';
import { errorMessage } from '../../util/index.js';
import { statelessBranch } from './loop-detection.js';
import type { Myself } from './myself.js';
import { processRoute } from './route-processing.js';
import type { NextHopResolver } from './types.js';

export interface StatelessDeps {
  readonly transactions: TransactionLayer;
  readonly resolve: NextHopResolver;
  readonly myself: Myself;
  readonly logger: Logger;
}

export type AckVerdict = 'forwarded' | 'dropped';

/** Forwards the ACK of a 2xx; resolves 'dropped' when there is nowhere (else) to send it. */
export async function forwardAck(ack: IncomingRequest, deps: StatelessDeps): Promise<AckVerdict> {
  const mf = ack.tryGet('max-forwards');
  if (!mf.ok || mf.value === 0) return 'dropped';
  const { request } = processRoute(ack, deps.myself);
  request.set('max-forwards', (mf.value ?? 70) - 1);
  const route = request.get('route')[0];
  const hop = route?.uri ?? request.uri;
  if (!(hop instanceof SipUri) || (route === undefined && deps.myself.isOwnUri(hop))) return 'dropped';
  try {
    const [destination] = await deps.resolve(hop);
    if (destination === undefined) return 'dropped';
    await deps.transactions.sendStateless(request, destination, { branch: statelessBranch(ack) });
    return 'forwarded';
  } catch (err) {
    deps.logger.info('ACK not forwarded', { hop: hop.toString(), error: errorMessage(err) });
    return 'dropped';
  }
}

/** Forwards a response without a transaction: minus our top Via, per the next one. */
export function forwardResponse(
  response: IncomingResponse | OutgoingResponse,
  deps: Pick<StatelessDeps, 'transactions' | 'logger'>,
): boolean {
  const out = response instanceof IncomingResponse ? response.toOutgoing() : response.clone();
  if (out.get('via').length < 2) return false;
  out.shift('via');
  deps.transactions.transport.sendResponse(out, undefined).catch((err: unknown) => {
    deps.logger.info('stateless response not forwarded', { status: out.status, error: errorMessage(err) });
  });
  return true;
}

/** Sends an already edited response (our Via removed) onwards without a transaction. */
export function sendResponseStatelessly(
  response: OutgoingResponse,
  deps: Pick<StatelessDeps, 'transactions' | 'logger'>,
): void {
  deps.transactions.transport.sendResponse(response, undefined).catch((err: unknown) => {
    deps.logger.info('stateless response not sent', { status: response.status, error: errorMessage(err) });
  });
}
