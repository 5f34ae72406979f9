/**
 * A CANCEL that matches no INVITE server transaction (RFC 3261 section 16.10): "If a response
 * context is not found, the element does not have any knowledge of the request to apply the
 * CANCEL to. It MUST statelessly forward the CANCEL request." That happens when the proxy was
 * restarted while a call was ringing, or the INVITE went through another instance. The CANCEL
 * goes to the targets the INVITE would have gone to, each with the branch the INVITE's branch
 * had (loop hash and context id are functions of the INVITE, which the CANCEL repeats: same
 * Request-URI, Call-ID, tags, CSeq number, Route and top Via, section 9.1), so the callee's
 * INVITE server transaction matches it and stops ringing. The 200 (and the 487) come back as
 * stray responses and are forwarded upstream statelessly.
 */
import type { OutgoingRequest } from '../../sip/index.js';
import { SipUri } from '../../sip/index.js';
import type { TransactionLayer } from '../../transaction/index.js';
import type { Logger } from '../../util/index.js';
import { errorMessage } from '../../util/index.js';
import { branchFor } from './loop-detection.js';
import type { NextHopResolver, Target } from './types.js';

export interface CancelDeps {
  readonly transactions: TransactionLayer;
  readonly resolve: NextHopResolver;
  readonly logger: Logger;
}

/** Sends the CANCEL to every target; resolves with how many copies left. */
export async function forwardCancel(
  base: OutgoingRequest,
  targets: readonly Target[],
  loop: string,
  context: string,
  deps: CancelDeps,
): Promise<number> {
  let sent = 0;
  await Promise.all(
    targets.map(async (target, index) => {
      const req = base.clone();
      req.uri = target.uri;
      if (target.route !== undefined && target.route.length > 0)
        req.set('route', [...target.route, ...req.get('route')]);
      const hop = req.get('route')[0]?.uri ?? target.uri;
      try {
        const destination = target.destination ?? (hop instanceof SipUri ? (await deps.resolve(hop))[0] : undefined);
        if (destination === undefined) return;
        await deps.transactions.sendStateless(req, destination, { branch: branchFor(loop, context, index) });
        sent++;
      } catch (err) {
        deps.logger.info('CANCEL not forwarded', { target: target.uri.toString(), error: errorMessage(err) });
      }
    }),
  );
  return sent;
}
