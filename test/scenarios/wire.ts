/**
 * Records every SIP message the stack puts on the wire, from the transport's diagnostics channel
 * `sip:transport:tx` (payload: flow + bytes), and names each end by address:port, so that a test
 * reads the traffic as a seed's ladder: "A->B INVITE", "B->A 180 INVITE". Any party can be named:
 * a phone, a proxy, a registrar, a gateway (whatever listens on a port in this process).
 * Retransmissions are kept but flagged, and left out of ladders. A retransmission is bytes
 * already sent on the same path: the transport's own flag is not used, because the transaction
 * layer also sends the first ACK of a non-2xx through resend(), which flags it as one.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { type IncomingRequest, type IncomingResponse, parseMessage } from '../../src/sip/index.js';
import { CHANNEL_TX, type TransportTxEvent } from '../../src/transport/index.js';

export interface WireMessage {
  /** Order of sending, from 0. */
  readonly index: number;
  /** Party names (or "address:port" for unnamed ends). */
  readonly from: string;
  readonly to: string;
  /** The request method, or the CSeq method of a response. */
  readonly method: string;
  /** The status of a response; undefined for requests. */
  readonly status: number | undefined;
  readonly retransmission: boolean;
  readonly message: IncomingRequest | IncomingResponse;
  readonly text: string;
  /** "A->B INVITE" or "B->A 200 INVITE". */
  readonly label: string;
}

export class WireRecorder {
  private readonly names = new Map<string, string>();
  private readonly raw: { from: string; to: string; bytes: Buffer; retransmission: boolean }[] = [];
  private readonly seen = new Set<string>();
  private readonly listener = (payload: unknown): void => {
    const e = payload as TransportTxEvent;
    const from = `${e.flow.localAddress}:${e.flow.localPort}`;
    const to = `${e.flow.remoteAddress}:${e.flow.remotePort}`;
    const bytes = Buffer.from(e.bytes);
    const key = `${from}>${to}|${bytes.toString('latin1')}`;
    const retransmission = this.seen.has(key);
    this.seen.add(key);
    this.raw.push({ from, to, bytes, retransmission });
  };

  constructor() {
    diagnosticsChannel.subscribe(CHANNEL_TX, this.listener);
  }

  /** Names the party listening on address:port. */
  name(party: string, address: string, port: number): void {
    this.names.set(`${address}:${port}`, party);
  }

  stop(): void {
    diagnosticsChannel.unsubscribe(CHANNEL_TX, this.listener);
  }

  /** Every message recorded so far, named. */
  messages(options: { retransmissions?: boolean } = {}): WireMessage[] {
    const out: WireMessage[] = [];
    this.raw.forEach((r, index) => {
      if (r.retransmission && !options.retransmissions) return;
      const parsed = parseMessage(r.bytes);
      if (!parsed.ok) return;
      const message = parsed.message;
      const from = this.names.get(r.from) ?? r.from;
      const to = this.names.get(r.to) ?? r.to;
      const isResponse = 'status' in message;
      const method = isResponse ? message.cseq.method : message.method;
      const status = isResponse ? message.status : undefined;
      out.push({
        index,
        from,
        to,
        method,
        status,
        retransmission: r.retransmission,
        message,
        text: r.bytes.toString('utf8'),
        label: `${from}->${to} ${status !== undefined ? `${status} ${method}` : method}`,
      });
    });
    return out;
  }

  /** Messages between two parties (both directions), in order. */
  between(a: string, b: string): WireMessage[] {
    return this.messages().filter((m) => (m.from === a && m.to === b) || (m.from === b && m.to === a));
  }

  /** Requests from `from` to `to` with this method, in order. */
  requests(from: string, to: string, method: string): WireMessage[] {
    return this.messages().filter(
      (m) => m.from === from && m.to === to && m.status === undefined && m.method === method,
    );
  }

  /** Readable dump for failure messages. */
  ladder(a?: string, b?: string): string {
    const list = a !== undefined && b !== undefined ? this.between(a, b) : this.messages();
    return list.map((m) => `  ${m.index}: ${m.label}`).join('\n');
  }
}
