/**
 * The machinery every transaction shares (ARCHITECTURE.md principle 4): a state named as in
 * RFC 3261 section 17, one transition(to) that rejects moves the state diagram does not have and
 * publishes the change, timers by their RFC letters through the injected Clock, and destruction
 * when the Terminated state is reached ("the transaction MUST be destroyed", sections 17.1.1.2,
 * 17.1.2.2, 17.2.1, 17.2.2).
 */
import type { Flow } from '../sip/index.js';
import type { Transport } from '../transport/index.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { type TransactionStateEvent, transactionStateChannel } from './diagnostics.js';
import type { TimerBase, TimerName } from './timers.js';
import { TransactionStateError } from './types.js';

export type TransactionKind = 'ICT' | 'NICT' | 'IST' | 'NIST';

/** What a transaction needs from the layer that owns it. */
export interface TransactionContext {
  readonly clock: Clock;
  readonly transport: Transport;
  readonly timers: TimerBase;
  readonly logger: Logger;
  /** Removes a terminated transaction from the layer's tables. */
  destroyed(transaction: Transaction<string>): void;
}

export abstract class Transaction<S extends string> {
  abstract readonly kind: TransactionKind;
  protected abstract readonly transitions: Readonly<Record<S, readonly S[]>>;
  private readonly handles = new Map<TimerName | 'Cancel', TimerHandle>();
  private readonly lastDue = new Map<TimerName | 'Cancel', number>();
  private current: S;

  protected constructor(
    protected readonly ctx: TransactionContext,
    /** The key the layer matches this transaction by. */
    readonly id: string,
    initial: S,
    readonly method: string,
    readonly branch: string,
    readonly callId: string | undefined,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  get terminated(): boolean {
    return this.current === ('Terminated' as S);
  }

  /** The flow the transaction's messages go over, once known. */
  abstract get flow(): Flow | undefined;

  /** Moves to `to`; throws on a move the RFC diagram does not have (a bug, never network input). */
  protected transition(to: S): void {
    const from = this.current;
    if (from === to) return;
    if (!this.transitions[from].includes(to)) {
      throw new TransactionStateError(`${this.kind} ${this.branch}: no transition ${from} -> ${to}`);
    }
    this.current = to;
    if (transactionStateChannel.hasSubscribers) {
      const event: TransactionStateEvent = {
        id: this.id,
        kind: this.kind,
        method: this.method,
        branch: this.branch,
        callId: this.callId,
        from,
        to,
        time: this.ctx.clock.now(),
      };
      transactionStateChannel.publish(event);
    }
    if (to === ('Terminated' as S)) {
      this.stopAllTimers();
      this.ctx.destroyed(this);
      this.onTerminated();
    } else this.onEnter(to, from);
  }

  /** Starts the timers of a state just entered. */
  protected abstract onEnter(state: S, from: S): void;

  /** Tells the user the transaction is gone. */
  protected abstract onTerminated(): void;

  protected abstract onTimer(timer: TimerName | 'Cancel'): void;

  protected startTimer(name: TimerName | 'Cancel', ms: number): void {
    this.armAt(name, this.ctx.clock.now() + ms);
  }

  /**
   * Re-arms a retransmission timer `ms` after the time it was due, not after the time it fired:
   * on a busy machine the lateness of each firing would otherwise add up, and an INVITE could
   * see only 6 of its 7 sends before Timer B (A, E and G schedules stay exact).
   */
  protected rearmTimer(name: TimerName, ms: number): void {
    const base = this.lastDue.get(name) ?? this.ctx.clock.now();
    this.armAt(name, base + ms);
  }

  private armAt(name: TimerName | 'Cancel', due: number): void {
    this.handles.get(name)?.cancel();
    this.handles.set(
      name,
      this.ctx.clock.setTimer(due - this.ctx.clock.now(), () => {
        this.handles.delete(name);
        this.lastDue.set(name, due);
        if (!this.terminated) this.onTimer(name);
      }),
    );
  }

  protected stopTimer(name: TimerName | 'Cancel'): void {
    this.handles.get(name)?.cancel();
    this.handles.delete(name);
  }

  protected hasTimer(name: TimerName | 'Cancel'): boolean {
    return this.handles.has(name);
  }

  private stopAllTimers(): void {
    for (const h of this.handles.values()) h.cancel();
    this.handles.clear();
  }

  /** Ends the transaction at once (layer shutdown). */
  abort(): void {
    if (!this.terminated) this.transition('Terminated' as S);
  }
}
