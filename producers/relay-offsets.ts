import type { Kafka, Message } from 'kafkajs';
import { relayOffsetsTopic } from '../src/kafka-topics';
import { readToEnd } from '../src/kafka-read';

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
  const last = new Map<RowKind, string[]>();
  await readToEnd(
    kafka,
    [relayOffsetsTopic(prefix)],
    (_topic, _partition, message) => {
      const kind = message.key?.toString() as RowKind;
      if (!ROW_KINDS.includes(kind) || !message.value) return;
      const record = JSON.parse(message.value.toString()) as OffsetsRecord;
      last.set(kind, fromRuns(record.ids));
    },
    { timeoutMs, groupPrefix: `${groupBase}-offsets-reader` },
  );
  return last;
}
