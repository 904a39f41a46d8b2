import type { Db } from '../../src/db/client';
import { waitUntil } from './kafka';

/**
 * Waits until some session of this test's database is blocked on a lock: the
 * condition a "the second transaction waits for the first" test needs, instead
 * of a fixed sleep that is too short on a loaded machine and wasted on a quiet one.
 */
export async function waitForLockWaiter(db: Db, timeoutMs = 20_000): Promise<void> {
  await waitUntil(
    async () => {
      const [waiting] = await db.$queryRaw<{ n: number }[]>`
        SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return waiting!.n > 0;
    },
    timeoutMs,
    'no transaction ever waited for a lock',
  );
}
