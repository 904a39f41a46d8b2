import type { Producer } from 'kafkajs';
import type { Db } from '../db/client';
import { findDeadLetterById as findDeadLetter, markRedriven, requestRedrive } from '../db/dead-letters';
import { redriveHeader } from '../contracts';
import { restoreHeaders } from './stored-message';

/** What a redrive request came to. */
export type RedriveResult =
  | { status: 'REDRIVEN'; id: bigint; redrivenAt: Date; topic: string }
  | { status: 'NOT_FOUND'; id: bigint }
  | { status: 'ALREADY_REDRIVEN'; id: bigint; redrivenAt: Date }
  | { status: 'NOT_REDRIVABLE'; id: bigint; reason: string };

/** Republishes a dead letter to its original topic, at most once (POST /v1/dead-letters/{id}/redrive, CLI `redrive`). */
export interface DeadLetterRedriver {
  redrive(id: bigint): Promise<RedriveResult>;
}

/**
 * A redrive sends the refused message again, as it was (key, value, headers),
 * to the topic it was refused on, with `dlq-redrive-of: <id>`. Three steps,
 * none of them a database transaction around a Kafka call: the request is
 * committed first (so the consumer that receives the message can tell it is
 * a real redrive), then the message is sent (acks from all in-sync replicas),
 * then the dead letter is marked redriven. A send that fails leaves it
 * unmarked, to be redriven again; a crash between send and mark likewise, and
 * a second copy is harmless because the consumer takes a redrive up once.
 */
export function kafkaRedriver(deps: { db: Db; producer: Producer; clock?: () => Date }): DeadLetterRedriver {
  const now = () => deps.clock?.() ?? new Date();
  return {
    async redrive(id) {
      const row = await requestRedrive(deps.db, id, now());
      if (!row) {
        const existing = await findDeadLetter(deps.db, id);
        if (!existing) return { status: 'NOT_FOUND', id };
        if (existing.redrivenAt) return { status: 'ALREADY_REDRIVEN', id, redrivenAt: existing.redrivenAt };
        return { status: 'NOT_REDRIVABLE', id, reason: 'recorded before dead letters kept their message; replay its offset instead (npm run cli -- replay)' };
      }
      const headers = restoreHeaders(row.headers ?? {});
      await deps.producer.send({
        topic: row.topic,
        acks: -1,
        messages: [{ key: row.key, value: row.value, headers: { ...headers, [redriveHeader]: String(id) } }],
      });
      const redrivenAt = await markRedriven(deps.db, id, now());
      if (!redrivenAt) {
        const again = await findDeadLetter(deps.db, id);
        return { status: 'ALREADY_REDRIVEN', id, redrivenAt: again?.redrivenAt ?? now() };
      }
      return { status: 'REDRIVEN', id, redrivenAt, topic: row.topic };
    },
  };
}
