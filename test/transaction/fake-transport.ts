/**
 * A scripted Transport for transaction tests under a VirtualClock: it records every message the
 * layer sends (with the virtual time), fills in the top Via as a real transport would, and lets
 * the test inject received messages on a flow.
 */
import {
  type Flow,
  type IncomingRequest,
  type IncomingResponse,
  type OutgoingRequest,
  type OutgoingResponse,
  parseMessage,
  type TransportProtocol,
} from '../../src/sip/index.js';
import {
  type Destination,
  type LocalEndpoint,
  type Sent,
  type Transport,
  TransportError,
  type TransportUser,
} from '../../src/transport/types.js';
import type { Clock } from '../../src/util/clock.js';

export interface Record {
  readonly time: number;
  readonly text: string;
  readonly retransmission: boolean;
  readonly flow: Flow;
}

export class FakeTransport implements Transport {
  readonly sent: Record[] = [];
  private user: TransportUser | undefined;
  failNextSend: TransportError | undefined;

  constructor(
    private readonly clock: Clock,
    readonly local = { address: '127.0.0.1', port: 5060 },
  ) {}

  setUser(user: TransportUser): void {
    this.user = user;
  }

  localEndpoint(transport: TransportProtocol): LocalEndpoint {
    return { transport, host: this.local.address, port: this.local.port };
  }

  endpoints(): readonly LocalEndpoint[] {
    return [this.localEndpoint('udp')];
  }

  flowTo(transport: TransportProtocol, address: string, port: number): Flow {
    return {
      transport,
      localAddress: this.local.address,
      localPort: this.local.port,
      remoteAddress: address,
      remotePort: port,
      connectionId: transport === 'udp' ? undefined : 1,
    };
  }

  async sendRequest(request: OutgoingRequest, destination: Destination): Promise<Sent> {
    if (this.failNextSend) {
      const err = this.failNextSend;
      this.failNextSend = undefined;
      throw err;
    }
    const top = request.get('via')[0];
    if (top) {
      request.shift('via');
      request.prepend(
        'via',
        top.with({ transport: destination.transport.toUpperCase(), host: this.local.address, port: this.local.port }),
      );
    }
    const flow = this.flowTo(destination.transport, destination.address, destination.port);
    return this.record(request.toBuffer(), flow, false);
  }

  async sendResponse(response: OutgoingResponse, requestFlow: Flow | undefined): Promise<Sent> {
    if (!requestFlow) throw new TransportError('ERR_TRANSPORT_UNAVAILABLE', 'no flow');
    return this.record(response.toBuffer(), requestFlow, false);
  }

  resend(bytes: Buffer, flow: Flow): void {
    this.record(bytes, flow, true);
  }

  private record(bytes: Buffer, flow: Flow, retransmission: boolean): Sent {
    this.sent.push({ time: this.clock.now(), text: bytes.toString('utf8'), retransmission, flow });
    return { flow, bytes };
  }

  /** Delivers a message as if received on `flow`. */
  receive(text: string, flow: Flow): IncomingRequest | IncomingResponse {
    const r = parseMessage(text.replace(/\r?\n/g, '\r\n'), { flow, receivedAt: this.clock.now() });
    if (!r.ok) throw r.error;
    this.user?.onMessage(r.message);
    return r.message;
  }

  /** First lines (start lines) of what was sent, with times. */
  startLines(): { time: number; line: string; retransmission: boolean }[] {
    return this.sent.map((r) => ({
      time: r.time,
      line: r.text.slice(0, r.text.indexOf('\r\n')),
      retransmission: r.retransmission,
    }));
  }
}

/** Lets pending promise callbacks (transport sends) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
