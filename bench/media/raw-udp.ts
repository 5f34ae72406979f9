/**
 * The physical limit for this design: how many 172-byte datagrams (the size of a 20 ms G.711
 * RTP packet) one Node process can send and receive per second on loopback through node:dgram,
 * with the same per-packet work as the media path minus the media (one send, one receive event).
 * Several flows each keep a window of datagrams in flight; every arrival sends the next one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { RealClock } from '../../src/util/index.js';

export interface RawUdpResult {
  datagramsPerSecond: number;
  cpuUtilisation: number;
}

const clock = new RealClock();
const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));

function bound(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

export async function measureRawUdp(
  options: { flows?: number; window?: number; seconds?: number } = {},
): Promise<RawUdpResult> {
  const flows = options.flows ?? 8;
  const window = options.window ?? 16;
  const payload = Buffer.alloc(172, 0x55);
  let received = 0;
  let running = true;
  const sockets: Socket[] = [];
  for (let f = 0; f < flows; f++) {
    const tx = await bound();
    const rx = await bound();
    sockets.push(tx, rx);
    const port = rx.address().port;
    rx.on('message', () => {
      received++;
      if (running) tx.send(payload, port, '127.0.0.1');
    });
    for (let i = 0; i < window; i++) tx.send(payload, port, '127.0.0.1');
  }
  await sleep(500); // warm-up
  const startCount = received;
  const startCpu = process.cpuUsage();
  const t0 = clock.now();
  await sleep((options.seconds ?? 3) * 1000);
  const elapsed = (clock.now() - t0) / 1000;
  const cpu = process.cpuUsage(startCpu);
  const count = received - startCount;
  running = false;
  await sleep(100);
  for (const s of sockets) s.close();
  return { datagramsPerSecond: count / elapsed, cpuUtilisation: (cpu.user + cpu.system) / 1e6 / elapsed };
}
