/**
 * The SIP messages the Switchboard side of an interop test sends and receives, from the
 * transport's diagnostics channels (`sip:transport:rx` and `sip:transport:tx`), parsed: what the
 * tests assert on the wire (the SDP direction a peer answered a hold with, the NOTIFY sipfrag a
 * peer sent, Refer-To, Replaces), and a ladder for failure messages. Parties are named by
 * address:port (`name()`), as in the scenario harness.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { type IncomingRequest, type IncomingResponse, parseMessage } from '../../../src/sip/index.js';
import { CHANNEL_RX, CHANNEL_TX, type TransportRxEvent, type TransportTxEvent } from '../../../src/transport/index.js';

export interface TracedMessage {
  readonly dir: 'rx' | 'tx';
  /** Party names (or address:port). */
  readonly from: string;
  readonly to: string;
  readonly method: string;
  readonly status: number | undefined;
  readonly message: IncomingRequest | IncomingResponse;
  readonly text: string;
  readonly body: string;
  /** "A->baresip INVITE", "baresip->A 200 INVITE". */
  readonly label: string;
}

interface RawMessage {
  readonly dir: 'rx' | 'tx';
  readonly fromKey: string;
  readonly toKey: string;
  readonly message: IncomingRequest | IncomingResponse;
  readonly text: string;
}

export class SipTrace {
  private readonly names = new Map<string, string>();
  private readonly list: RawMessage[] = [];
  private readonly onRx = (payload: unknown) => this.record('rx', payload as TransportRxEvent);
  private readonly onTx = (payload: unknown) => this.record('tx', payload as TransportTxEvent);

  constructor() {
    diagnosticsChannel.subscribe(CHANNEL_RX, this.onRx);
    diagnosticsChannel.subscribe(CHANNEL_TX, this.onTx);
  }

  stop(): void {
    diagnosticsChannel.unsubscribe(CHANNEL_RX, this.onRx);
    diagnosticsChannel.unsubscribe(CHANNEL_TX, this.onTx);
  }

  /** Names whoever uses address:port (also for messages recorded before). */
  name(party: string, address: string, port: number): void {
    this.names.set(`${address}:${port}`, party);
  }

  private record(dir: 'rx' | 'tx', e: TransportRxEvent | TransportTxEvent): void {
    const local = `${e.flow.localAddress}:${e.flow.localPort}`;
    const remote = `${e.flow.remoteAddress}:${e.flow.remotePort}`;
    const bytes = Buffer.from(e.bytes);
    const parsed = parseMessage(bytes);
    if (!parsed.ok) return;
    const [fromKey, toKey] = dir === 'tx' ? [local, remote] : [remote, local];
    this.list.push({ dir, fromKey, toKey, message: parsed.message, text: bytes.toString('utf8') });
  }

  private named(r: RawMessage): TracedMessage {
    const from = this.names.get(r.fromKey) ?? r.fromKey;
    const to = this.names.get(r.toKey) ?? r.toKey;
    const message = r.message;
    const isResponse = 'status' in message;
    const method = isResponse ? message.cseq.method : message.method;
    const status = isResponse ? message.status : undefined;
    return {
      dir: r.dir,
      from,
      to,
      method,
      status,
      message,
      text: r.text,
      body: message.bodyText,
      label: `${from}->${to} ${status !== undefined ? `${status} ${method}` : method}`,
    };
  }

  /** Every message, in order (a message between two parties of this process twice: tx and rx). */
  messages(dir?: 'rx' | 'tx'): TracedMessage[] {
    return this.list.filter((m) => dir === undefined || m.dir === dir).map((m) => this.named(m));
  }

  /** Requests of this method from `from` to `to` (each message once: as sent, or as received from outside). */
  requests(method: string, from?: string, to?: string): TracedMessage[] {
    return this.unique().filter(
      (m) =>
        m.status === undefined &&
        m.method === method &&
        (from === undefined || m.from === from) &&
        (to === undefined || m.to === to),
    );
  }

  /** Responses to `method` (optionally of one status) from `from`. */
  responses(method: string, status?: number, from?: string): TracedMessage[] {
    return this.unique().filter(
      (m) =>
        m.status !== undefined &&
        m.method === method &&
        (status === undefined || m.status === status) &&
        (from === undefined || m.from === from),
    );
  }

  /** Each message once, in order: a message between two parties of this process shows up as tx and rx. */
  unique(): TracedMessage[] {
    const seen = new Set<string>();
    const out: TracedMessage[] = [];
    for (const m of this.messages()) {
      const key = `${m.from}>${m.to}|${m.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
    return out;
  }

  /** Readable ladder for failure messages (retransmissions included, marked by nothing). */
  ladder(): string {
    return this.unique()
      .map((m, i) => `  ${i}: ${m.label}${sdpDirection(m.body) ? ` (${sdpDirection(m.body)})` : ''}`)
      .join('\n');
  }
}

/** The audio direction an SDP body states (a=sendonly ...), 'sendrecv' when it states none, '' without SDP. */
export function sdpDirection(body: string): string {
  if (!/^m=audio /m.test(body)) return '';
  const audio = body.slice(body.search(/^m=audio /m));
  const hold = /^c=IN IP4 0\.0\.0\.0/m.test(body) ? ' c=0.0.0.0' : '';
  const m =
    /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(audio) ??
    /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(body);
  return `${m?.[1] ?? 'sendrecv'}${hold}`;
}
