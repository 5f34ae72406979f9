/**
 * Request validation of a proxy (RFC 3261 section 16.3), in the RFC's order: 1. reasonable
 * syntax (400), 2. URI scheme (416), 3. Max-Forwards (483), 4. loop detection (482), 5.
 * Proxy-Require (420); then RFC 5393's Max-Breadth header (400 when malformed). Step 6
 * (Proxy-Authorization) is the proxy's auth stage. The message layer's validateRequest does
 * 1, 2, 3 and 5; the loop check sits between them here.
 */
import { type IncomingRequest, type ValidationProblem, validateRequest } from '../../sip/index.js';
import { isLoop, loopHash } from './loop-detection.js';
import type { Myself } from './myself.js';

export type CheckResult =
  | {
      readonly ok: true;
      /** The loop-detection hash of the request (part of every branch it is forwarded on). */
      readonly loop: string;
      /** The Max-Breadth the request arrived with (RFC 5393), undefined when absent. */
      readonly maxBreadth: number | undefined;
    }
  | { readonly ok: false; readonly problem: ValidationProblem };

export interface CheckOptions {
  /** Option tags the proxy supports in Proxy-Require (section 16.3 step 5). */
  readonly supported: readonly string[];
  /**
   * The request is addressed to this element itself (an OPTIONS to the proxy's own URI), which
   * it may answer as a UAS whatever Max-Forwards says (section 16.3 step 3, RFC 4475 zeromf).
   */
  readonly addressedToUs: boolean;
}

function fail(status: number, reason: string, headers: readonly (readonly [string, string])[] = []): CheckResult {
  return { ok: false, problem: { status, reason, headers } };
}

/** RFC 5393 section 5.3: Max-Breadth = 1*DIGIT; a malformed value is a malformed request. */
function maxBreadthOf(request: IncomingRequest): number | undefined | 'malformed' {
  const lines = request.getRaw('Max-Breadth');
  if (lines.length === 0) return undefined;
  if (lines.length > 1) return 'malformed';
  const text = (lines[0] as string).trim();
  if (!/^[0-9]{1,10}$/.test(text)) return 'malformed';
  const n = Number(text);
  return n > 2 ** 31 - 1 ? 'malformed' : n;
}

export function checkProxyRequest(request: IncomingRequest, myself: Myself, options: CheckOptions): CheckResult {
  const problem = validateRequest(request, { role: 'proxy', supported: options.supported });
  const deferred = problem?.status === 420 || (problem?.status === 483 && options.addressedToUs);
  if (problem && !deferred) return { ok: false, problem };
  const loop = loopHash(request);
  if (isLoop(request, myself, loop)) return fail(482, 'Loop Detected');
  if (problem && problem.status === 420) return { ok: false, problem };
  const maxBreadth = maxBreadthOf(request);
  if (maxBreadth === 'malformed') return fail(400, 'Malformed Max-Breadth');
  return { ok: true, loop, maxBreadth };
}
