import type { Kafka } from 'kafkajs';
import { topics, topicName } from './contracts';

/** The relay's own topic (not part of the contract): what the relay published, per kind of row. */
export const RELAY_OFFSETS_TOPIC = 'inventory-relay-offsets';

export function relayOffsetsTopic(prefix: string): string {
  return `${prefix}${RELAY_OFFSETS_TOPIC}`;
}

/**
 * Creates the contract's topics and the relay-offsets topic that do not exist
 * yet. Harmless when they do; a deployment that manages topics elsewhere turns
 * it off (KAFKA_CREATE_TOPICS) and creates the relay-offsets topic as below.
 */
export async function ensureTopics(kafka: Kafka, prefix: string, numPartitions: number, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(topics).map((t) => topicName(t, prefix)).filter((t) => !existing.has(t));
    const offsets = relayOffsetsTopic(prefix);
    const wanted = [
      ...missing.map((topic) => ({ topic, numPartitions, replicationFactor })),
      // One partition, compacted: a new leader reads it from the start, and
      // compaction keeps it about one record per key. Small segments let the
      // cleaner run often; the last record of each key always stays.
      ...(existing.has(offsets)
        ? []
        : [{ topic: offsets, numPartitions: 1, replicationFactor, configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: String(16 * 1024 * 1024) },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
          ] }]),
    ];
    if (wanted.length > 0) await admin.createTopics({ waitForLeaders: true, topics: wanted });
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
