/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per layer of
 * the stack (sip parser/serializer, transport, transaction, dialog, UA, SDP, role), Node's own
 * code (dgram, timers, ...), the garbage collector, and the hottest functions with file and line.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const LAYERS: readonly (readonly [RegExp, string])[] = [
  [/\/src\/sip\//, 'sip (parser, headers, serializer)'],
  [/\/src\/transport\//, 'transport'],
  [/\/src\/transaction\//, 'transaction'],
  [/\/src\/dialog\//, 'dialog'],
  [/\/src\/ua\//, 'ua (UserAgent, Call)'],
  [/\/src\/sdp\//, 'sdp (offer/answer)'],
  [/\/src\/roles\//, 'role (autoanswer)'],
  [/\/src\/util\//, 'util (clock, ids, emitter)'],
  [/^node:dgram|node:internal\/dgram/, 'node dgram (UDP sockets)'],
  [/node:internal\/timers|^node:timers/, 'node timers'],
  [/^node:|^internal/, 'node (other)'],
  [/node_modules/, 'dependencies'],
];

function layerOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url === '') return `native (${functionName || 'anonymous'})`;
  for (const [re, name] of LAYERS) if (re.test(url)) return name;
  return 'other';
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly layers: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
  readonly functions: readonly {
    readonly name: string;
    readonly where: string;
    readonly ms: number;
    readonly share: number;
  }[];
}

export function summarizeProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  });
  const layers = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; ms: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    total += ms;
    const layer = layerOf(node);
    if (layer === 'idle') {
      idle += ms;
      continue;
    }
    layers.set(layer, (layers.get(layer) ?? 0) + ms);
    const file = node.callFrame.url.replace(/^.*\/(src|node_modules)\//, '$1/');
    const where = file ? `${file}:${node.callFrame.lineNumber + 1}` : '(native)';
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const f = functions.get(key) ?? { name, where, ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const busy = total - idle;
  const share = (ms: number): number => (busy > 0 ? ms / busy : 0);
  return {
    totalMs: total,
    busyMs: busy,
    layers: [...layers.entries()].map(([name, ms]) => ({ name, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, share: share(f.ms) })),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${Math.round(s.busyMs)} ms of ${Math.round(s.totalMs)} ms profiled; self time by layer:`];
  for (const l of s.layers) if (l.share >= 0.005) lines.push(`  ${pct(l.share)}  ${l.name}`);
  lines.push('hottest functions (self time):');
  for (const f of s.functions) lines.push(`  ${pct(f.share)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}
