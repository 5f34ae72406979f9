/**
 * The UDP sockets of one RTP session (the only place besides transport/ that opens sockets for
 * the media path): RTP on an even port and RTCP on the next odd one (RFC 3550 section 11: "RTP
 * SHOULD use an even destination port number and the corresponding RTCP stream SHOULD use the
 * next higher (odd) destination port number"). Ports come from a configured range, or are
 * ephemeral (bind to 0, retried until the kernel hands out an even port whose successor is free).
 * Sends to IP literals skip the DNS lookup dgram performs by default.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { SwitchboardError } from '../util/index.js';

export class RtpPortError extends SwitchboardError {
  constructor(message: string) {
    super('ERR_MEDIA_PORT', message);
  }
}

export interface RtpSocketPair {
  rtp: Socket;
  rtcp: Socket;
  address: string;
  rtpPort: number;
  rtcpPort: number;
  close(): Promise<void>;
}

export interface BindOptions {
  address: string;
  /** Inclusive port range for RTP (RTCP uses RTP + 1); omit for ephemeral ports. */
  portRange?: { min: number; max: number };
  attempts?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup hook: IP literals are answered synchronously, names go to the resolver. */
function literalLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, options, callback);
}

function bindSocket(address: string, port: number): Promise<Socket> {
  const type = isIP(address) === 6 ? 'udp6' : 'udp4';
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, lookup: literalLookup });
    const onError = (err: Error): void => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ address, port, exclusive: true }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

function closeSocket(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

export async function bindRtpSocketPair(options: BindOptions): Promise<RtpSocketPair> {
  const attempts = options.attempts ?? 64;
  const range = options.portRange;
  if (range && (range.min < 1 || range.max > 65535 || range.max - range.min < 1)) {
    throw new RtpPortError(`bad RTP port range ${range.min}-${range.max}`);
  }
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    let want = 0;
    if (range) {
      const evens = Math.floor((range.max - 1) / 2) - Math.ceil(range.min / 2) + 1;
      if (evens < 1) throw new RtpPortError(`no even port with a free successor in ${range.min}-${range.max}`);
      want = (Math.ceil(range.min / 2) + Math.floor(Math.random() * evens)) * 2;
    }
    let rtp: Socket | undefined;
    try {
      rtp = await bindSocket(options.address, want);
      const port = rtp.address().port;
      if (port % 2 !== 0) {
        await closeSocket(rtp);
        continue;
      }
      const rtcp = await bindSocket(options.address, port + 1);
      const pair: RtpSocketPair = {
        rtp,
        rtcp,
        address: options.address,
        rtpPort: port,
        rtcpPort: port + 1,
        close: async () => {
          await Promise.all([closeSocket(rtp as Socket), closeSocket(rtcp)]);
        },
      };
      return pair;
    } catch (err) {
      lastError = err;
      if (rtp) await closeSocket(rtp);
    }
  }
  throw new RtpPortError(
    `could not bind an RTP/RTCP port pair on ${options.address} after ${attempts} attempts: ${String(lastError)}`,
  );
}
