import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { compactedTopics, topics, topicName, type TopicBase } from './contracts';

/** A contract topic exists with a configuration the service cannot work with: it refuses to start. */
export class TopicConfigurationError extends Error {}

const COMPACT = [{ name: 'cleanup.policy', value: 'compact' }];

/**
 * Creates the contract's topics that do not exist yet (compacted ones with
 * cleanup.policy=compact), then checks that the compacted ones really are.
 * Harmless when they exist; a deployment that manages topics elsewhere turns
 * creation off (KAFKA_CREATE_TOPICS) and calls checkCompactedTopics alone.
 */
export async function ensureTopics(kafka: Kafka, prefix: string, numPartitions: number, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = (Object.values(topics) as TopicBase[]).filter((t) => !existing.has(topicName(t, prefix)));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: topicName(t, prefix), numPartitions, replicationFactor, configEntries: compactedTopics.includes(t) ? COMPACT : undefined })),
      });
    }
    await assertCompacted(admin, prefix);
    return missing.map((t) => topicName(t, prefix));
  } finally {
    await admin.disconnect();
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
