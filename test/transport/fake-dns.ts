/**
 * A small authoritative DNS server for the resolver tests, on 127.0.0.1 with an ephemeral UDP
 * port, built with dns-packet. It answers NAPTR, SRV, A and AAAA from an in-memory zone: records
 * when it has them, NOERROR without answers (NODATA) when the name exists with other types,
 * NXDOMAIN otherwise; names listed as silent are never answered (timeouts). Every question is
 * logged so tests can assert which lookups RFC 3263 made.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import dnsPacket, { type Answer } from 'dns-packet';

export type ZoneRecord =
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly ttl?: number; readonly address: string }
  | {
      readonly type: 'SRV';
      readonly name: string;
      readonly ttl?: number;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | {
      readonly type: 'NAPTR';
      readonly name: string;
      readonly ttl?: number;
      readonly order: number;
      readonly preference: number;
      readonly flags: string;
      readonly service: string;
      readonly replacement: string;
    };

export class FakeDns {
  readonly queries: string[] = [];
  readonly silent = new Set<string>();
  private records: ZoneRecord[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}

  static async start(records: readonly ZoneRecord[] = []): Promise<FakeDns> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const server = new FakeDns(socket, socket.address().port);
    server.records = [...records];
    socket.on('message', (msg, rinfo) => server.answer(msg, rinfo));
    return server;
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(records: readonly ZoneRecord[]): void {
    this.records = [...records];
  }

  /** How many questions of a type for a name were asked ("SRV _sip._udp.example.test"). */
  count(type: string, name: string): number {
    return this.queries.filter((q) => q === `${type} ${name.toLowerCase()}`).length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, rinfo: RemoteInfo): void {
    let query: ReturnType<typeof dnsPacket.decode>;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (q === undefined) return;
    const name = q.name.toLowerCase().replace(/\.$/, '');
    this.queries.push(`${q.type} ${name}`);
    if (this.silent.has(name)) return;
    const known = this.records.filter((r) => r.name.toLowerCase() === name);
    const answers: Answer[] = known.filter((r) => r.type === q.type).map((r) => toAnswer(r));
    const rcode = known.length === 0 ? 3 : 0; // NXDOMAIN or NOERROR (NODATA when no answers)
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | rcode,
      questions: [q],
      answers,
    });
    this.socket.send(response, rinfo.port, rinfo.address);
  }
}

function toAnswer(r: ZoneRecord): Answer {
  const ttl = r.ttl ?? 300;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return { type: r.type, name: r.name, ttl, data: r.address };
    case 'SRV':
      return {
        type: 'SRV',
        name: r.name,
        ttl,
        data: { priority: r.priority, weight: r.weight, port: r.port, target: r.target },
      };
    case 'NAPTR':
      return {
        type: 'NAPTR',
        name: r.name,
        ttl,
        data: {
          order: r.order,
          preference: r.preference,
          flags: r.flags,
          services: r.service,
          regexp: '',
          replacement: r.replacement,
        },
      };
  }
}
