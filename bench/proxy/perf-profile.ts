/**
 * An on-CPU profile of the Switchboard server with Linux `perf` (the server runs with
 * --perf-basic-prof, so that perf names JavaScript functions): `perf record -g` on its process
 * while a step runs, then `perf report` read back as self time by category (JavaScript,
 * V8 builtins, garbage collection, kernel, SQLite, malloc, other native) and inclusive time of
 * the entry points that matter (receive, parse, proxy, send, microtasks, V8's background
 * threads). Unlike node --cpu-prof, whose sampler counts wall time of the main thread (a thread
 * preempted right after a sendto that woke the peer is charged to doSend), perf samples only
 * time on a CPU, in every thread of the process.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export const PERF_MISSING = 'perf not found: apt-get install linux-perf (Debian) or linux-tools-$(uname -r) (Ubuntu)';

export function perfAvailable(): boolean {
  const r = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface PerfRecording {
  stop(): Promise<void>;
}

/** Starts `perf record -g` on the processes (all their threads) into file. */
export function startPerf(pids: readonly number[], file: string): PerfRecording {
  const child: ChildProcess = spawn('perf', ['record', '-F', '999', '-g', '-p', pids.join(','), '-o', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-4000);
  });
  return {
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null) {
          reject(new Error(`perf record exited early: ${err}`));
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

interface Row {
  readonly children: number;
  readonly self: number;
  readonly symbol: string;
}

function report(file: string): Row[] {
  const r = spawnSync('perf', ['report', '-i', file, '--children', '--sort', 'sym', '-g', 'none', '--stdio'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`perf report failed: ${r.stderr}`);
  const rows: Row[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line);
    if (m) rows.push({ children: Number(m[1]), self: Number(m[2]), symbol: `[${m[3]}] ${m[4]}` });
  }
  return rows;
}

const CATEGORIES: readonly (readonly [RegExp, string])[] = [
  [/^\[k\]/, 'kernel (system calls, network stack, scheduler, page faults)'],
  [
    /v8::internal::(Scaveng|Concurrent|Mark|Sweep|Heap::|MemoryChunk|BasicMemoryChunk|Evacuat|MinorM|Compactor|PagedSpace|RememberedSet|SlotSet|IncrementalMarking|GCTracer|MarkingVisitor|BodyDescriptorBase|HeapObject::SizeFromMap|MainMarkingVisitor|LocalHeap)|std::__detail::_Map_base<v8::internal::MemoryChunk/,
    'V8 garbage collection',
  ],
  [/v8::internal::compiler::|v8::internal::maglev|v8::internal::baseline|Builtins_CompileLazy/, 'V8 compilers (JIT)'],
  [/\] JS:/, 'JavaScript (compiled functions)'],
  [/\] Builtins_/, 'V8 builtins (ICs, calls, strings, maps, promises)'],
  [/sqlite3/, 'SQLite'],
  [/malloc|free|_int_|unlink_chunk|memmove|memcpy|memset|memcmp|strlen/, 'libc (malloc, memcpy)'],
  [/^\[\.\] (node::|uv_|uv__)/, 'Node/libuv native'],
  [/v8::/, 'V8 runtime (other)'],
];

export interface PerfSummary {
  readonly categories: readonly { readonly name: string; readonly share: number }[];
  readonly entries: readonly { readonly name: string; readonly share: number }[];
  readonly selfTop: readonly { readonly name: string; readonly share: number }[];
}

/** Inclusive share of the first symbol matching each pattern. */
const ENTRIES: readonly (readonly [RegExp, string])[] = [
  [/node::UDPWrap::OnRecv/, 'receiving a datagram and everything it triggers (UDPWrap::OnRecv)'],
  [/JS:[*~^]?handle .*transport\/inbound\.js/, '  transport inbound handling (inbound.js handle)'],
  [/JS:[*~^]?parseMessage .*sip\/parser\.js/, '  parsing (parseMessage)'],
  [/JS:[*~^]?process .*roles\/proxy\/sip-proxy\.js/, '  proxy pipeline (SipProxy process)'],
  [/Builtins_RunMicrotasks/, 'microtasks (promise continuations)'],
  [/JS:[*~^]?doSend node:dgram/, 'sending (dgram doSend, incl. the sendmsg system call)'],
  [/\[k\] __sys_sendmsg|\[k\] __x64_sys_sendmsg/, '  sendmsg in the kernel (loopback: includes delivery to the peer)'],
  [/\[k\] __sys_recvmsg|\[k\] __x64_sys_recvmsg/, 'recvmsg in the kernel'],
  [/\[k\] do_epoll_wait/, 'epoll_wait in the kernel'],
  [/node::.*PlatformWorkerThread/, "V8's background threads (concurrent GC marking, scavenging, JIT)"],
  [/v8::internal::Heap::CollectGarbage/, 'garbage collection pauses on the main thread'],
  [/\[k\] asm_exc_page_fault|\[k\] exc_page_fault/, 'page faults'],
];

export function summarizePerf(file: string, top = 15): PerfSummary {
  const rows = report(file);
  const totalSelf = rows.reduce((s, r) => s + r.self, 0) || 1;
  const cats = new Map<string, number>();
  for (const r of rows) {
    if (r.self <= 0) continue;
    const name = CATEGORIES.find(([re]) => re.test(r.symbol))?.[1] ?? 'other native';
    cats.set(name, (cats.get(name) ?? 0) + r.self);
  }
  return {
    categories: [...cats.entries()].sort((a, b) => b[1] - a[1]).map(([name, v]) => ({ name, share: v / totalSelf })),
    entries: ENTRIES.map(([re, name]) => ({
      name,
      share: (rows.find((r) => re.test(r.symbol))?.children ?? 0) / 100,
    })),
    selfTop: [...rows]
      .sort((a, b) => b.self - a.self)
      .slice(0, top)
      .map((r) => ({ name: r.symbol.replace(/file:\/\/\/\S*?\/(src|bench)\//, '$1/'), share: r.self / totalSelf })),
  };
}

export function formatPerf(s: PerfSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  return [
    '  on-CPU time (perf, all threads) by category, self:',
    ...s.categories.filter((c) => c.share >= 0.005).map((c) => `    ${pct(c.share)}  ${c.name}`),
    '  inclusive time of entry points:',
    ...s.entries.map((e) => `    ${pct(e.share)}  ${e.name}`),
    '  hottest symbols (self):',
    ...s.selfTop.map((f) => `    ${pct(f.share)}  ${f.name}`),
  ].join('\n');
}
