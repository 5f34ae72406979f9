/**
 * Branch parameters and loop detection (RFC 3261 sections 16.3 step 4 and 16.6 step 8, RFC 5393
 * section 4.2).
 *
 * A branch this proxy puts in its Via is `z9hG4bKsb.<loop>.<context>.<n>`: the magic cookie, a
 * marker, the loop-detection hash of the request as received, the response context and the
 * branch number (unique per transaction, as section 17 requires). RFC 5393 section 4.2: "the
 * proxy MUST ... compute the branch as a hash over the fields it uses to route": the
 * Request-URI received, Call-ID, From tag, To tag, CSeq number and Route (Proxy-Require and
 * Proxy-Authorization, which RFC 3261 16.6 step 8 also lists, are left out: nothing this proxy
 * routes on depends on them, and a CANCEL, which carries neither, must hash like its INVITE so
 * that it can be forwarded statelessly on the INVITE's branches, section 16.10). When a request
 * comes back carrying a Via of ours whose loop part equals
 * the hash of the request now, nothing that routing depends on changed: a loop (482). A
 * different hash is a spiral (the request was retargeted) and is forwarded.
 *
 * Requests forwarded statelessly (the ACK of a 2xx, section 16.11) get a branch that is a
 * function of the incoming top Via, so that a retransmission leaves with the same branch.
 */
import { createHash } from 'node:crypto';
import type { IncomingRequest } from '../../sip/index.js';
import { MAGIC_COOKIE } from '../../util/index.js';
import type { Myself } from './myself.js';

const MARK = `${MAGIC_COOKIE}sb.`;

function digest(parts: readonly string[], length = 16): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, length);
}

/** The loop-detection part of the branch for a request as received (RFC 5393 section 4.2). */
export function loopHash(request: IncomingRequest): string {
  return digest([
    request.uri.toString(),
    request.get('call-id') ?? '',
    request.fromTag ?? '',
    request.toTag ?? '',
    String(request.get('cseq')?.seq ?? ''),
    request.getRaw('Route').join(','),
  ]);
}

/**
 * The response-context part of our branches: a function of the transaction the request belongs
 * to (its top Via's branch and sent-by, Call-ID, CSeq number), so that a CANCEL, whose Via is
 * the INVITE's (section 9.1), computes the same branches when it has to be forwarded without
 * the INVITE's context (a restarted proxy, section 16.10).
 */
export function contextIdFor(request: IncomingRequest): string {
  const top = request.topVia;
  return digest(
    [top.branch ?? '', top.host.toLowerCase(), String(top.port ?? ''), request.callId, String(request.cseq.seq)],
    12,
  );
}

/** The Via branch of branch `index` of response context `context` (section 16.6 step 8). */
export function branchFor(loop: string, context: string, index: number): string {
  return `${MARK}${loop}.${context}.${index}`;
}

/** The loop part of one of our branches, or undefined for branches of other elements. */
export function loopPartOf(branch: string | undefined): string | undefined {
  if (branch === undefined || !branch.startsWith(MARK)) return undefined;
  return branch.slice(MARK.length).split('.')[0];
}

/**
 * Section 16.3 step 4: "If the request contains a Via header field with a sent-by value that
 * equals a value placed into previous requests by the proxy, the request has been forwarded by
 * this element before ... the element MUST compare [the branch it would compute] ... If [equal]
 * ... loop", answered 482 (Loop Detected).
 */
export function isLoop(request: IncomingRequest, myself: Myself, hash = loopHash(request)): boolean {
  // Every Via counts: when we forwarded straight back to ourselves, ours is the top one.
  return request.get('via').some((via) => myself.isOwnVia(via) && loopPartOf(via.branch) === hash);
}

/**
 * A branch for a request forwarded without a transaction (the ACK of a 2xx, section 16.11): the
 * same for every retransmission of the same request, different from every other request.
 */
export function statelessBranch(request: IncomingRequest): string {
  const top = request.topVia;
  const parts = [
    top.branch ?? '',
    top.host,
    String(top.port ?? ''),
    request.method,
    request.get('call-id') ?? '',
    String(request.get('cseq')?.seq ?? ''),
    request.uri.toString(),
  ];
  return `${MARK}${loopHash(request)}.s${digest(parts, 12)}.0`;
}
