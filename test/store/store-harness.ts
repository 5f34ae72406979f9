/**
 * What the shared behaviour suites need from a backend: a fresh empty database per test, which
 * can be opened several times (a restart, or a second instance on the same database).
 */
import type { Stores } from '../../src/store/index.js';
import { VirtualClock } from '../../src/util/clock.js';

export interface Database {
  /** Opens the database (again): each call is a new connection, as a restarted or second instance. */
  open(): Promise<Stores>;
}

export interface StoreHarness {
  readonly name: string;
  fresh(): Promise<Database>;
}

/** Wall-clock ms the suites use as "now": explicit, never the real clock. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A virtual clock at T0 for createdAt/updatedAt of users and forwarding rules. */
export const clockAt = (wall = T0): VirtualClock => new VirtualClock(0, wall);

/** Runs fn with a fresh database, closing every Stores it opened even when fn throws. */
export async function withDatabase(
  harness: StoreHarness,
  fn: (db: Database & { opened: Stores[] }) => Promise<void>,
): Promise<void> {
  const base = await harness.fresh();
  const opened: Stores[] = [];
  const db = {
    opened,
    open: async () => {
      const s = await base.open();
      opened.push(s);
      return s;
    },
  };
  try {
    await fn(db);
  } finally {
    for (const s of opened) await s.close();
  }
}
