/**
 * A small typed listener set: `on(event, fn)` returns an unsubscribe function, listeners run in
 * the order they were added, and a throwing listener is reported to `onListenerError` instead
 * of unwinding into the media path that emitted the event.
 */
export type Listener<T> = (event: T) => void;

export class TypedEvents<E extends object> {
  private readonly listeners = new Map<keyof E, Listener<never>[]>();

  constructor(private readonly onListenerError: (err: unknown, event: keyof E) => void = () => {}) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const list = (this.listeners.get(event) ?? []) as Listener<E[K]>[];
    this.listeners.set(event, [...list, listener] as Listener<never>[]);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (e) => {
      off();
      listener(e);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = (this.listeners.get(event) ?? []) as Listener<E[K]>[];
    this.listeners.set(event, list.filter((l) => l !== listener) as Listener<never>[]);
  }

  /** True when anyone listens for `event` (lets emitters skip building the payload). */
  has(event: keyof E): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.listeners.get(event) as Listener<E[K]>[] | undefined;
    if (!list) return;
    for (const l of list) {
      try {
        l(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
