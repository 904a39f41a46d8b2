import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads topics from their start up to their last stable offset (what a
 * read_committed consumer, the kafkajs default, can see now) and resolves.
 * kafkajs has no fetch without a consumer group, so it joins a throwaway
 * group that commits nothing (the broker drops it once empty).
 *
 * The end cannot be found by waiting for the message at the end offset minus
 * one: on a topic written in transactions that offset holds a commit marker,
 * which consumers never see. kafkajs reports every fetched batch, also one of
 * only markers or aborted records, through END_BATCH_PROCESS; that is how the
 * end is found.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onMessage: (topic: string, partition: number, message: KafkaMessage) => void,
  options: { timeoutMs: number; groupPrefix: string; maxBytes?: number },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        // `offset` is the end a read_committed consumer sees (admin requests read_committed).
        if (BigInt(p.offset) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.offset));
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (remaining.size === 0) return;
  const ends = new Map(remaining);

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}-${randomUUID()}`,
    allowAutoTopicCreation: false,
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`could not read ${topics.join(', ')} to the end within ${options.timeoutMs} ms; not finished: ${[...remaining.keys()].join(' ')}`)),
        options.timeoutMs,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const key = `${payload.topic}:${payload.partition}`;
        const end = remaining.get(key);
        if (end !== undefined && (BigInt(payload.lastOffset) + 1n >= end || payload.offsetLag === '0')) remaining.delete(key);
        if (remaining.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(`${batch.topic}:${batch.partition}`) ?? 0n;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end) break;
              onMessage(batch.topic, batch.partition, message);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
