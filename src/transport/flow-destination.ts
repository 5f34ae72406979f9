/**
 * The destination that sends a request down the same path as an earlier message: the ACK of a
 * non-2xx final response and a CANCEL "MUST be sent to the same address, port, and transport"
 * as the request (RFC 3261 sections 17.1.1.3 and 9.1), and RFC 5626 requests to a registered
 * flow. The transport is fixed (no 18.1.1 size switch) and the connection is reused while open.
 */
import type { Flow } from '../sip/index.js';
import type { Destination } from './types.js';

export function flowDestination(flow: Flow): Destination {
  return {
    transport: flow.transport,
    address: flow.remoteAddress,
    port: flow.remotePort,
    connectionId: flow.connectionId,
    fixedTransport: true,
  };
}
