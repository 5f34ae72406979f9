/**
 * A small typed event emitter for indications that arrive (ARCHITECTURE.md principle 11): each
 * event name maps to its argument tuple, listeners get exactly those types, and a throwing
 * listener is reported to an error hook instead of breaking the emitter's caller (a stack object
 * finishes its own transition before it notifies, principle 12).
 */
export type EventMap = { [event: string]: unknown[] };

type Listener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Listener>>();

  constructor(private readonly onListenerError: (err: unknown, event: string) => void = () => {}) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as Listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.listeners.get(event)?.delete(listener as unknown as Listener);
  }

  /** Resolves with the arguments of the next `event`. */
  next<K extends keyof E>(event: K): Promise<E[K]> {
    return new Promise((resolve) => this.once(event, (...args: E[K]) => resolve(args)));
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const l of [...set]) {
      try {
        (l as unknown as (...a: E[K]) => void)(...args);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
    return true;
  }
}
