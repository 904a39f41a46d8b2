import { parseApiTokens, type Config } from '../config';
import { createDb } from '../db/client';
import type { Logger } from '../logger';
import type { DeadLetterRedriver } from '../dead-letters/redrive';
import { buildApiServer, listenApiServer, type RunningApiServer } from './server';
import { createKafka } from '../kafka';
import { ConsumerLagReader } from '../ops/consumer-lag';
import { registerConsole } from '../console/plugin';

/**
 * The query API of one instance as the configuration says: its own database
 * pool, the tokens, the rate limit; listening on API_HOST:API_PORT only.
 * close() stops accepting, lets in-flight requests finish, then ends the pool.
 * The operator console (/console) is served on the same server and port; the
 * overview's consumer lag is asked of the broker for KAFKA_GROUP_ID.
 */
export async function startQueryApi(
  config: Config,
  deps: { logger: Logger; redriver: DeadLetterRedriver; clock?: () => Date; register?: Parameters<typeof buildApiServer>[1] },
): Promise<RunningApiServer> {
  const logger = deps.logger.child({ component: 'api' });
  if (config.API_AUTH === 'disabled') logger.warn('API_AUTH=disabled: the query API answers every request without a token, including redrives');
  const tokens = parseApiTokens(config.API_TOKENS);
  if (config.API_AUTH === 'tokens' && tokens.length === 0) logger.warn('API_TOKENS is empty: every /v1 request will be refused (401)');
  const db = createDb(config.DATABASE_URL, config.API_DATABASE_POOL_SIZE);
  const consumerLag = new ConsumerLagReader({
    kafka: createKafka(config, logger, '-api'),
    groupId: config.KAFKA_GROUP_ID,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    clock: deps.clock,
  });
  try {
    const app = await buildApiServer(
      {
        db,
        logger,
        auth: { mode: config.API_AUTH, tokens },
        rateLimitPerMinute: config.API_RATE_LIMIT_PER_MINUTE,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        redriver: deps.redriver,
        clock: deps.clock,
        consumerLag,
      },
      async (app) => {
        await registerConsole(app);
        await deps.register?.(app);
      },
    );
    const running = await listenApiServer(app, config.API_HOST, config.API_PORT);
    return {
      ...running,
      close: async () => {
        await running.close();
        await consumerLag.close();
        await db.$disconnect();
      },
    };
  } catch (error) {
    await consumerLag.close();
    await db.$disconnect();
    throw error;
  }
}
