import type { Tx } from './types';
import type { Hold, HoldStatus } from '../domain/holds';

/** A hold to record for an order just reserved: its deadline and the OrderPlaced that asked for it. */
export interface NewHold {
  orderId: string;
  holdUntil: Date;
  eventId: string;
  correlationId: string | null;
}

/** Records the holds of a run of reservations in one statement (one array parameter per column). */
export async function recordHolds(tx: Tx, holds: readonly NewHold[], now: Date): Promise<void> {
  if (holds.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO reservation_hold (order_id, hold_until, status, event_id, correlation_id, created_at, updated_at)
    SELECT order_id, hold_until, 'HELD', event_id::uuid, correlation_id, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${holds.map((h) => h.orderId)}::text[], ${holds.map((h) => h.holdUntil)}::timestamptz[], ${holds.map((h) => h.eventId)}::text[],
                  ${holds.map((h) => h.correlationId)}::text[])
        AS v(order_id, hold_until, event_id, correlation_id)`;
}

interface HoldRow {
  order_id: string;
  hold_until: Date;
  status: HoldStatus;
}

const toHold = (r: HoldRow): Hold => ({ orderId: r.order_id, holdUntil: r.hold_until, status: r.status });

/**
 * Locks the order's hold row, if it has one (orders placed without holdUntil
 * have none). Every event of the order takes this lock before the order's
 * reservation rows, and so does the expiry sweeper: whoever gets it first
 * decides, and the other sees the hold as the first left it.
 */
export async function lockHold(tx: Tx, orderId: string): Promise<Hold | null> {
  const rows = await tx.$queryRaw<HoldRow[]>`
    SELECT order_id, hold_until, status FROM reservation_hold WHERE order_id = ${orderId} FOR UPDATE`;
  return rows[0] ? toHold(rows[0]) : null;
}

/** A due hold with what its expiry's events copy from the OrderPlaced. */
export interface DueHold extends Hold {
  correlationId: string | null;
}

/**
 * Locks up to `limit` holds that are HELD with their deadline at or before
 * `now`, oldest deadline first, skipping holds another transaction has locked:
 * an order event in progress (it decides; the hold is looked at again on the
 * next sweep if it is still HELD) or another instance's sweep (it releases
 * them). So any number of sweepers run at once and each due hold is released
 * by exactly one. `skip`: orders the caller has set aside (their release
 * failed). Served by the partial index reservation_hold_due_idx.
 */
export async function lockDueHolds(tx: Tx, now: Date, limit: number, skip: readonly string[] = []): Promise<DueHold[]> {
  const rows = await tx.$queryRaw<(HoldRow & { correlation_id: string | null })[]>`
    SELECT order_id, hold_until, status, correlation_id FROM reservation_hold
     WHERE status = 'HELD' AND hold_until <= ${now}::timestamptz AND order_id <> ALL(${[...skip]}::text[])
     ORDER BY hold_until, order_id
     LIMIT ${limit}
       FOR UPDATE SKIP LOCKED`;
  return rows.map((r) => ({ ...toHold(r), correlationId: r.correlation_id }));
}

/** Ends HELD holds (locked by the caller) as CONFIRMED, SHIPPED, CANCELLED or EXPIRED. */
export async function endHolds(tx: Tx, orderIds: readonly string[], status: Exclude<HoldStatus, 'HELD'>, now: Date): Promise<void> {
  if (orderIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE reservation_hold
       SET status = ${status}::hold_status, ended_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
     WHERE order_id = ANY(${[...orderIds]}::text[]) AND status = 'HELD'`;
}
