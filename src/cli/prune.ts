import { createDb } from '../db/client';
import { createKafka } from '../kafka';
import { pruneRetained } from '../ops/retention';
import { parseOptions, type CliCommand } from './command';

/**
 * `prune`: one retention round now, the same as the service runs every
 * RETENTION_PRUNE_INTERVAL_MS (for deployments that turn that off and use cron).
 * Safe while the service runs: instances and this command take turns.
 */
export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'delete inbox rows, sent dead letters and published outbox rows past RETENTION_DAYS (never what a replay needs)',
  usage: 'prune\n  prints { processedEvents, deadLetters, outboxEvents, replayRecordsBefore, outboxBefore, keptReason? }',
  needsConfig: true,
  async run(args, { config, logger, out }) {
    parseOptions(args, {});
    const db = createDb(config!.DATABASE_URL, 1);
    try {
      const summary = await pruneRetained({
        db,
        kafka: createKafka(config!, logger),
        topicPrefix: config!.KAFKA_TOPIC_PREFIX,
        retentionDays: config!.RETENTION_DAYS,
        logger,
      });
      out(JSON.stringify(summary));
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};
