import { createDb } from '../db/client';
import { listDeadLetters } from '../db/dead-letters';
import { deadLetterView, type DeadLetterView } from '../dead-letters/view';
import { inboundTopics, topicName, type InboundTopic } from '../contracts';
import { parseOptions, type CliCommand } from './command';
import { UsageError } from '../errors';

const PAGE = 500;

/** One line per dead letter, tab-separated: id, when, code, where, key, event, redrive state, reason. */
export function deadLetterLine(d: DeadLetterView): string {
  const event = d.eventType ? `${d.eventType} ${d.eventId}` : '-';
  const redrive = d.redrivenAt ? `redriven ${d.redrivenAt}` : 'not redriven';
  return [d.id, d.deadLetteredAt, d.code, `${d.topic}/${d.partition}@${d.offset}`, `key=${d.key ?? '-'}`, event, redrive, d.reason.replace(/\s+/g, ' ')].join(
    '\t',
  );
}

/** `dead-letters [--code C] [--topic T] [--json]`: what GET /v1/dead-letters answers, newest first, every page. */
export const deadLettersCommand: CliCommand = {
  name: 'dead-letters',
  summary: 'list dead letters, newest first, one line each (id, time, code, topic/partition@offset, key, event, redrive, reason)',
  usage:
    'dead-letters [--code C] [--topic T] [--json]\n  --code C   only this error code (e.g. NOTHING_RESERVED)\n  --topic T  only this inbound topic (contract name)\n  --json     one JSON object per line, as the API answers them',
  needsConfig: true,
  async run(args, { config, out }) {
    const options = parseOptions(args, { code: { type: 'string' }, topic: { type: 'string' }, json: { type: 'boolean' } });
    if (options.topic !== undefined && !(inboundTopics as readonly string[]).includes(options.topic))
      throw new UsageError(`--topic must be one of ${inboundTopics.join(', ')}`);
    const prefix = config!.KAFKA_TOPIC_PREFIX;
    const db = createDb(config!.DATABASE_URL, 1);
    try {
      let before: bigint | undefined;
      for (;;) {
        const rows = await listDeadLetters(db, {
          code: options.code,
          topic: options.topic && topicName(options.topic as InboundTopic, prefix),
          before,
          limit: PAGE,
        });
        for (const row of rows) {
          const view = deadLetterView(row, prefix);
          out(options.json ? JSON.stringify(view) : deadLetterLine(view));
        }
        if (rows.length < PAGE) return 0;
        before = rows[rows.length - 1]!.id;
      }
    } finally {
      await db.$disconnect();
    }
  },
};
