import type { FastifyInstance } from 'fastify';
import { buildApiServer, listenApiServer, type RunningApiServer } from '../../src/api/server';
import { parseApiTokens } from '../../src/config';
import { createKafka } from '../../src/kafka';
import { createLogger } from '../../src/logger';
import { ConsumerLagReader } from '../../src/ops/consumer-lag';
import { registerConsole } from '../../src/console/plugin';
import { kafkaRedriver } from '../../src/dead-letters/redrive';
import type { TestStack } from './harness';

export const READ_TOKEN = 'read-token-0123456789abcdef';
export const WRITE_TOKEN = 'write-token-0123456789abcdef';
export const TEST_API_TOKENS = `desk:${READ_TOKEN}:read,lead:${WRITE_TOKEN}:write`;

/** The query API with the console, on 127.0.0.1 and a free port, reading the stack's database and group. */
export async function startApiServer(stack: TestStack): Promise<RunningApiServer & { lag: ConsumerLagReader; app: FastifyInstance }> {
  const { config } = stack;
  const logger = createLogger(config.LOG_LEVEL);
  const kafka = createKafka(config, logger, '-api');
  const lag = new ConsumerLagReader({ kafka, groupId: config.KAFKA_GROUP_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, cacheMs: 0 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const app = await buildApiServer({
    db: stack.db,
    logger,
    auth: { mode: 'tokens', tokens: parseApiTokens(TEST_API_TOKENS) },
    rateLimitPerMinute: 100_000,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    redriver: kafkaRedriver({ db: stack.db, producer }),
    consumerLag: lag,
  });
  await registerConsole(app);
  const running = await listenApiServer(app, '127.0.0.1', 0);
  return { ...running, app, lag, close: async () => { await running.close(); await lag.close(); await producer.disconnect(); } };
}
