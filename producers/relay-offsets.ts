import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { relayOffsetsTopic } from '../src/kafka-topics';

/**
 * What the relay has published, kept on Kafka itself the way Kafka Connect's
 * exactly-once source connectors keep their source offsets (KIP-618): every
 * relay transaction carries, next to the batch, one record per kind of row
 * naming the rows of that batch, on a compacted topic of the service's own
 * keyed by kind. The record is committed or aborted with the batch, so the
 * last committed record of a key names exactly the rows whose messages are
 * on the wire; a new leader reads it before it sends anything. The topic
 * (src/kafka-topics.ts) is compacted, one partition.
 */

export type RowKind = 'outbox' | 'dead-letters';
export const ROW_KINDS: readonly RowKind[] = ['outbox', 'dead-letters'];

/** Row ids as inclusive [first, last] runs: a batch is mostly consecutive ids, so the record stays small. */
export type IdRuns = [string, string][];

export interface OffsetsRecord {
  version: 1;
  ids: IdRuns;
}

export function toRuns(ids: readonly string[]): IdRuns {
  const sorted = [...ids].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const runs: [bigint, bigint][] = [];
  for (const id of sorted) {
    const last = runs[runs.length - 1];
    if (last && id === last[1] + 1n) last[1] = id;
    else if (!last || id !== last[1]) runs.push([id, id]);
  }
  return runs.map(([a, b]) => [String(a), String(b)]);
}

export function fromRuns(runs: IdRuns): string[] {
  const ids: string[] = [];
  for (const [first, last] of runs) for (let id = BigInt(first); id <= BigInt(last); id++) ids.push(String(id));
  return ids;
}

export function offsetsMessage(kind: RowKind, ids: readonly string[]): Message {
  const record: OffsetsRecord = { version: 1, ids: toRuns(ids) };
  return { key: kind, value: JSON.stringify(record) };
}

/**
 * The last committed offsets record of each kind. Reads the topic from the
 * start up to its last stable offset with a read_committed consumer (the
 * kafkajs default) of a throwaway group that commits nothing: records of
 * aborted transactions are never seen. Call it only after this producer's
 * transactional id was initialised (which fences the previous leader and
 * completes or aborts its open transaction), so nothing can still change.
 */
export async function readLastOffsets(kafka: Kafka, prefix: string, groupBase: string, timeoutMs: number): Promise<Map<RowKind, string[]>> {
  const topic = relayOffsetsTopic(prefix);
  const admin = kafka.admin();
  await admin.connect();
  let stable: { partition: number; end: bigint; low: bigint }[];
  try {
    stable = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, end: BigInt(p.offset), low: BigInt(p.low) }));
  } finally {
    await admin.disconnect();
  }
  const last = new Map<RowKind, string[]>();
  const remaining = new Map(stable.filter((p) => p.end > p.low).map((p) => [p.partition, p.end - 1n]));
  if (remaining.size === 0) return last;

  const consumer = kafka.consumer({ groupId: `${groupBase}-offsets-reader-${randomUUID()}`, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end within ${timeoutMs} ms`)), timeoutMs);
      // Emitted after every fetched batch, also one of only control records
      // (transaction markers): the last offset before the stable end is one.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const until = remaining.get(payload.partition);
        if (until !== undefined && (BigInt(payload.lastOffset) >= until || payload.offsetLag === '0')) remaining.delete(payload.partition);
        if (remaining.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const kind = message.key?.toString() as RowKind;
              if (!ROW_KINDS.includes(kind) || !message.value) continue;
              const record = JSON.parse(message.value.toString()) as OffsetsRecord;
              last.set(kind, fromRuns(record.ids));
            }
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return last;
}
