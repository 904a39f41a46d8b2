import type { Kafka } from 'kafkajs';
import { topics, topicName } from './contracts';

/**
 * Creates the contract's topics that do not exist yet. Harmless when they do;
 * a deployment that manages topics elsewhere turns it off (KAFKA_CREATE_TOPICS).
 */
export async function ensureTopics(kafka: Kafka, prefix: string, numPartitions: number, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(topics).map((t) => topicName(t, prefix)).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })) });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
