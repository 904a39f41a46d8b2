import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { compactedTopics, topics, topicName, type TopicBase } from './contracts';
import { TopicConfigurationError } from './errors';

const COMPACT = [{ name: 'cleanup.policy', value: 'compact' }];

/** The relay's own topic (not part of the contract): what the relay published, per kind of row. */
export const RELAY_OFFSETS_TOPIC = 'inventory-relay-offsets';

export function relayOffsetsTopic(prefix: string): string {
  return `${prefix}${RELAY_OFFSETS_TOPIC}`;
}

/**
 * Creates the contract's topics (compacted ones with cleanup.policy=compact)
 * and the relay-offsets topic that do not exist yet, then checks that the
 * compacted contract topics really are. Harmless when they exist; a
 * deployment that manages topics elsewhere turns creation off
 * (KAFKA_CREATE_TOPICS), creates the relay-offsets topic as below and calls
 * checkCompactedTopics alone.
 */
export async function ensureTopics(kafka: Kafka, prefix: string, numPartitions: number, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = (Object.values(topics) as TopicBase[]).filter((t) => !existing.has(topicName(t, prefix)));
    const offsets = relayOffsetsTopic(prefix);
    const wanted = [
      ...missing.map((t) => ({
        topic: topicName(t, prefix),
        numPartitions,
        replicationFactor,
        configEntries: compactedTopics.includes(t) ? COMPACT : undefined,
      })),
      // One partition, compacted: a new leader reads it from the start, and
      // compaction keeps it about one record per key. Small segments let the
      // cleaner run often; the last record of each key always stays.
      ...(existing.has(offsets)
        ? []
        : [
            {
              topic: offsets,
              numPartitions: 1,
              replicationFactor,
              configEntries: [
                { name: 'cleanup.policy', value: 'compact' },
                { name: 'segment.bytes', value: String(16 * 1024 * 1024) },
                { name: 'min.cleanable.dirty.ratio', value: '0.1' },
              ],
            },
          ]),
    ];
    if (wanted.length > 0) {
      await admin.createTopics({ waitForLeaders: false, topics: wanted });
      await waitForLeaders(
        admin,
        wanted.map((t) => t.topic),
      );
    }
    await assertCompacted(admin, prefix);
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

// Right after a topic is created a KRaft broker may answer its metadata with
// UNKNOWN_TOPIC_OR_PARTITION for a moment ("This server does not host this
// topic-partition"), which kafkajs's own waitForLeaders does not retry (it
// retries LEADER_NOT_AVAILABLE only): hence this wait of our own.
const NOT_READY_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

async function waitForLeaders(admin: Admin, names: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...names] });
      if (found.length === names.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!NOT_READY_YET.has((error as { type?: string }).type ?? '') || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${names.join(', ')}`);
    await sleep(100);
  }
}

/** Refuses (TopicConfigurationError) a compacted contract topic that exists with another cleanup.policy. */
export async function checkCompactedTopics(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await assertCompacted(admin, prefix);
  } finally {
    await admin.disconnect();
  }
}

/**
 * inventory-levels is a table that consumers rebuild from the latest record
 * per key. With cleanup.policy=delete (Kafka's default) a key that has not
 * changed for the retention time would vanish from it; with "compact,delete"
 * too. So anything but exactly "compact" is refused, before anything is
 * published there. A topic that does not exist yet is not checked: the
 * service does not publish to topics that are missing (no auto-creation).
 */
async function assertCompacted(admin: Admin, prefix: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const names = compactedTopics.map((t) => topicName(t, prefix)).filter((name) => existing.has(name));
  if (names.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
  });
  for (const resource of resources) {
    const policy = resource.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '(unknown)';
    if (policy !== 'compact') {
      throw new TopicConfigurationError(
        `topic ${resource.resourceName} has cleanup.policy=${policy}; it must be compact (the latest record per key is the current level). ` +
          `Fix it with: kafka-configs.sh --alter --entity-type topics --entity-name ${resource.resourceName} --add-config cleanup.policy=compact`,
      );
    }
  }
}
