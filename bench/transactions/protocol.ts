/**
 * The IPC messages between bench/transactions/run.ts and the UAS process it forks
 * (uas-server.ts): samples of the UAS's counters, CPU time and memory, and stop.
 */
export interface ServerSample {
  readonly invites: number;
  readonly answered: number;
  readonly confirmed: number;
  readonly activeCalls: number;
  readonly dialogs: number;
  readonly serverTransactions: number;
  readonly awaitingAck: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  /** Event-loop delay since the last reset (perf_hooks.monitorEventLoopDelay), ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

export type ServerRequest =
  /** `gc`: collect garbage first (the process runs with --expose-gc). */
  | { readonly kind: 'sample'; readonly id: number; readonly gc: boolean; readonly resetLoopDelay?: boolean }
  | { readonly kind: 'stop'; readonly id: number };

export type ServerReply =
  | { readonly kind: 'ready'; readonly port: number; readonly impl: 'ua' | 'lean'; readonly pid: number }
  | { readonly kind: 'sample'; readonly id: number; readonly sample: ServerSample }
  | { readonly kind: 'stopped'; readonly id: number };
