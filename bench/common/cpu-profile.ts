/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per layer
 * (each benchmark names its layers by URL pattern), Node's own code, the garbage collector,
 * native code, and the hottest functions with file and line. Shared by bench/transactions and
 * bench/proxy.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** URL pattern and layer name, first match wins. */
export type LayerTable = readonly (readonly [RegExp, string])[];

/** Node's own code and dependencies, after a benchmark's own layers. */
const NODE_LAYERS: LayerTable = [
  [/^node:dgram|node:internal\/dgram/, 'node dgram (UDP sockets)'],
  [/node:internal\/timers|^node:timers/, 'node timers'],
  [/node:crypto|node:internal\/crypto/, 'node crypto'],
  [/^node:|^internal/, 'node (other)'],
  [/better-sqlite3/, 'better-sqlite3 (JS side)'],
  [/node_modules/, 'dependencies'],
];

function layerOf(node: ProfileNode, layers: LayerTable): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url === '') return `native (${functionName || 'anonymous'})`;
  for (const [re, name] of layers) if (re.test(url)) return name;
  for (const [re, name] of NODE_LAYERS) if (re.test(url)) return name;
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

export function summarizeProfile(path: string, layerTable: LayerTable, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  let totalMs = 0;
  let idleMs = 0;
  const layers = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; ms: number }>();
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const layer = layerOf(node, layerTable);
    if (layer === 'idle') {
      idleMs += ms;
      continue;
    }
    layers.set(layer, (layers.get(layer) ?? 0) + ms);
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(src|node_modules)\//, '$1/').replace(/^file:\/\//, '');
    const where = url === '' ? '(native)' : `${file}:${lineNumber + 1}`;
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const f = functions.get(key) ?? { name, where, ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const busyMs = totalMs - idleMs;
  const share = (ms: number): number => (busyMs > 0 ? ms / busyMs : 0);
  return {
    totalMs,
    busyMs,
    layers: [...layers.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: share(ms) })),
    functions: [...functions.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, share: share(f.ms) })),
  };
}

export function formatProfile(s: ProfileSummary, indent = ''): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (${pct(s.busyMs / Math.max(1, s.totalMs)).trim()})`,
    'self time by layer (share of busy time):',
    ...s.layers.filter((l) => l.share >= 0.005).map((l) => `  ${pct(l.share)}  ${l.name}`),
    'hottest functions (self time):',
    ...s.functions.map((f) => `  ${pct(f.share)}  ${f.name}  ${f.where}`),
  ];
  return lines.map((l) => indent + l).join('\n');
}
