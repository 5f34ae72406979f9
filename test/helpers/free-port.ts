/**
 * Free ports on 127.0.0.1 for peers that cannot bind port 0 themselves (baresip, linphonec): a
 * port is taken from the kernel (listen on 0), then probed with a real bind on UDP and TCP, with
 * the ports that must come with it (baresip's TLS on SIP port + 1, RTCP on RTP port + 1). Every
 * port handed out in this process is remembered and never handed out again, so that two peers
 * started side by side do not get the same one before either has bound it.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export interface FreePortOptions {
  /** How many consecutive ports from the first one must be free (default 1). */
  readonly count?: number;
  /** Probe UDP, TCP or both (default both). */
  readonly protocols?: readonly ('udp' | 'tcp')[];
  /** The first port must be even (RTP). */
  readonly even?: boolean;
}

/** The first of `count` consecutive ports free on 127.0.0.1 for every protocol asked. */
export async function freePorts(options: FreePortOptions = {}): Promise<number> {
  const count = options.count ?? 1;
  const protocols = options.protocols ?? ['udp', 'tcp'];
  for (let attempt = 0; attempt < 100; attempt++) {
    let first = await kernelPort();
    if (options.even && first % 2 === 1) first += 1;
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((p) => p > 65535 || handedOut.has(p))) continue;
    let ok = true;
    for (const p of ports) {
      if (protocols.includes('udp') && !(await udpPortFree(p))) ok = false;
      if (ok && protocols.includes('tcp') && !(await tcpPortFree(p))) ok = false;
      if (!ok) break;
    }
    if (!ok) continue;
    for (const p of ports) handedOut.add(p);
    return first;
  }
  throw new Error(`no ${count} consecutive free port(s) found on 127.0.0.1`);
}

/** One port free for both UDP and TCP. */
export function freePort(): Promise<number> {
  return freePorts();
}
