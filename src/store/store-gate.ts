/**
 * The door every backend call goes through: refuses calls after close() with StoreClosedError,
 * and turns the driver's own errors (SqliteError, pg's DatabaseError, socket errors) into
 * StoreError with the original as `cause`, so callers see one error family with stable codes
 * whatever the backend. Errors Switchboard raised on purpose pass through unchanged.
 */
import { SwitchboardError } from '../util/errors.js';
import { StoreClosedError, StoreError } from './errors.js';

function wrap(err: unknown, what: string): unknown {
  if (err instanceof SwitchboardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError(`${what}: ${message}`, { cause: err });
}

export class StoreGate {
  #closed = false;

  constructor(private readonly what: string) {}

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  run<T>(fn: () => T): T {
    if (this.#closed) throw new StoreClosedError();
    try {
      return fn();
    } catch (err) {
      throw wrap(err, this.what);
    }
  }

  async runAsync<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreClosedError();
    try {
      return await fn();
    } catch (err) {
      throw wrap(err, this.what);
    }
  }
}
