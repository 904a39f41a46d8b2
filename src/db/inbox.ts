import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';
import type { Tx } from './types';
import { outboxInsert, type CausedEvents } from './outbox';
import {
  consumeRedrive,
  deadLetterInsert,
  openParkedSql,
  parkedDeadLetters,
  reopenRedrivenEvents,
  type DeadLetterRecord,
  type ParkedDeadLetter,
  type ParkedRow,
} from './dead-letters';

/**
 * The inbox (processed_event): one row per inbound eventId. Its primary key is
 * what makes every event apply once in effect: the row is claimed first in the
 * event's transaction, and a second copy, even one being applied right now by
 * another instance, finds it taken.
 */
export interface InboxClaim {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
  /** The dead letter this message was redriven from (header dlq-redrive-of), if it claims one. */
  redriveOf?: bigint | null;
}

const redrivesOf = (claims: readonly InboxClaim[]) => claims.flatMap((c) => (c.redriveOf ? [{ deadLetterId: c.redriveOf, eventId: c.eventId }] : []));

/**
 * Inserts the inbox rows of a run (outcome APPLYING); returns the eventIds
 * that were new (a second copy inside the run counts once) and, read in the
 * same statement (one round trip less per transaction), the open PARKED dead
 * letters of the run's keys (`parked`: topic and keys, openParkedSql).
 */
export async function claimInbox(
  tx: Tx,
  claims: readonly InboxClaim[],
  parked: { topic: string; keys: readonly string[] },
): Promise<{ claimed: Set<string>; parked: ParkedDeadLetter[] }> {
  // A redriven event is judged again once, as if new: its earlier refusal's inbox row goes first.
  await reopenRedrivenEvents(tx, redrivesOf(claims));
  // Array parameters, one per column: Prisma's cost grows with the number of parameters.
  const rows = await tx.$queryRaw<({ claimed: string | null } & { [K in keyof ParkedRow]: ParkedRow[K] | null })[]>`
    WITH claimed AS (
      INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
      SELECT event_id::uuid, event_type, topic, partition, "offset"::bigint, 'APPLYING'
        FROM unnest(${claims.map((c) => c.eventId)}::text[], ${claims.map((c) => c.eventType)}::text[], ${claims.map((c) => c.topic)}::text[],
                    ${claims.map((c) => c.partition)}::int[], ${claims.map((c) => c.offset)}::text[])
          AS v(event_id, event_type, topic, partition, "offset")
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id::text
    ),
    parked AS (${openParkedSql(parked.topic, parked.keys)})
    SELECT event_id AS claimed, NULL::bigint AS dead_letter_id, NULL::int AS partition, NULL::bigint AS "offset", NULL::text AS parked_key, NULL::text AS event_id
      FROM claimed
    UNION ALL
    SELECT NULL, dead_letter_id, partition, "offset", parked_key, event_id::text FROM parked`;
  return {
    claimed: new Set(rows.flatMap((r) => (r.claimed === null ? [] : [r.claimed]))),
    parked: parkedDeadLetters(rows.filter((r): r is typeof r & ParkedRow => r.claimed === null)),
  };
}

/**
 * One statement for the end of a run: the outbox rows, the inbox outcomes, and
 * the dead letters of refused events (recorded here, sent after the commit).
 * One round trip, because the rows the handlers locked stay locked until the commit.
 */
export async function finishRun(
  tx: Tx,
  run: {
    outbox: readonly CausedEvents[];
    outcomes: readonly [eventId: string, outcome: string][];
    deadLetters: readonly DeadLetterRecord[];
    now: Date;
    /** Events held back behind a parked one: their inbox claims are given back (a retry applies them). */
    unclaim?: readonly string[];
    /** PARKED dead letters of events applied or judged now: resolved. */
    resolveParked?: readonly bigint[];
  },
): Promise<void> {
  const outbox = outboxInsert(run.outbox, run.now);
  const unclaim = run.unclaim ?? [];
  const resolve = run.resolveParked ?? [];
  await tx.$executeRaw`
    WITH ${outbox ? Prisma.sql`staged AS (${outbox.sql}),` : Prisma.empty}
    ${run.deadLetters.length > 0 ? Prisma.sql`refused AS (${deadLetterInsert(run.deadLetters)}),` : Prisma.empty}
    ${unclaim.length > 0 ? Prisma.sql`unclaimed AS (DELETE FROM processed_event WHERE event_id = ANY(${unclaim}::uuid[])),` : Prisma.empty}
    ${resolve.length > 0 ? Prisma.sql`resolved AS (UPDATE dead_letter SET resolved_at = ${run.now} WHERE dead_letter_id = ANY(${resolve}::bigint[])),` : Prisma.empty}
    outcomes AS (SELECT * FROM unnest(${run.outcomes.map(([id]) => id)}::uuid[], ${run.outcomes.map(([, outcome]) => outcome)}::text[]) AS v(event_id, outcome))
    UPDATE processed_event AS p SET outcome = v.outcome FROM outcomes v WHERE p.event_id = v.event_id`;
}

/**
 * Records a refusal made outside a run's transaction: the inbox row (so the
 * event is never judged again) and its dead letter, together; a PARKED dead
 * letter of the event is resolved (it is judged at last: the events behind it
 * may go on).
 */
export async function recordRefusal(db: Db, claim: InboxClaim, deadLetter: DeadLetterRecord): Promise<void> {
  await db.$transaction([
    // Refused on its own after a redrive (its transaction rolled back): the redrive is taken up all the same.
    ...redrivesOf([claim]).map((r) => db.$executeRaw(consumeRedrive(r))),
    db.$executeRaw`
      INSERT INTO processed_event (event_id, event_type, topic, partition, "offset", outcome)
      VALUES (${claim.eventId}::uuid, ${claim.eventType.slice(0, 64)}, ${claim.topic}, ${claim.partition}, ${BigInt(claim.offset)}, 'DEAD_LETTERED')
      ON CONFLICT (event_id) DO NOTHING`,
    db.$executeRaw(deadLetterInsert([deadLetter])),
    db.$executeRaw`
      UPDATE dead_letter SET resolved_at = now()
       WHERE error_code = 'PARKED' AND resolved_at IS NULL AND event_id = ${claim.eventId} AND topic = ${deadLetter.topic}`,
  ]);
}
