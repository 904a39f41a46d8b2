import { inboundTopics, type InboundTopic } from '../contracts';
import { createKafka } from '../kafka';
import { executeReplay, formatPlan, parseOffsetSpec, planReplay, type ReplayTarget } from '../ops/replay';
import { parseOptions, type CliCommand } from './command';
import { UsageError } from '../errors';

/**
 * `replay`: moves the service's consumer group (KAFKA_GROUP_ID) back on inbound
 * topics. A dry run (the plan) unless --execute. Exit 0 plan shown or applied;
 * 1 refused (live group members, offset outside the partition) or failed; 2 wrong call.
 */
export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'reset the consumer group on inbound topics (earliest, a time, or offsets); dry run unless --execute',
  usage: [
    'replay (--to-earliest | --to-datetime <ISO-8601> | --to-offset <topic>:<partition>=<offset> ...) [--topic <topic> ...] [--execute]',
    `  --topic      contract topic name, repeatable (default: ${inboundTopics.join(', ')}; KAFKA_TOPIC_PREFIX is added)`,
    '  --to-offset  repeatable; names its own topics (not combined with --topic)',
    '  --execute    apply the plan; without it only the plan is printed',
    '  The service must be stopped: the command refuses while the group has live members.',
  ].join('\n'),
  needsConfig: true,
  async run(args, { config, logger, out }) {
    const values = replayOptions(args);
    const target = targetOf(values);
    const topics = topicsOf(values.topic);
    if (target.kind === 'offsets' && values.topic) throw new UsageError('--to-offset names its own topics; drop --topic');

    const admin = createKafka(config!, logger).admin();
    await admin.connect();
    try {
      const plan = await planReplay(admin, { groupId: config!.KAFKA_GROUP_ID, topicPrefix: config!.KAFKA_TOPIC_PREFIX, topics, target });
      out(`consumer group ${plan.groupId}: ${values.execute ? 'resetting offsets' : 'dry run (add --execute to apply)'}`);
      for (const line of formatPlan(plan)) out(line);
      if (values.execute) {
        await executeReplay(admin, plan);
        out(`done: ${plan.entries.length} partition(s) reset; start the service to replay`);
      }
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
};

function replayOptions(args: string[]) {
  return parseOptions(args, {
    topic: { type: 'string', multiple: true },
    'to-earliest': { type: 'boolean' },
    'to-datetime': { type: 'string' },
    'to-offset': { type: 'string', multiple: true },
    execute: { type: 'boolean' },
  });
}

function targetOf(values: { 'to-earliest'?: boolean; 'to-datetime'?: string; 'to-offset'?: string[] }): ReplayTarget {
  const chosen = [values['to-earliest'], values['to-datetime'], values['to-offset']].filter((v) => v !== undefined).length;
  if (chosen !== 1) throw new UsageError('replay needs exactly one of --to-earliest, --to-datetime <ISO-8601>, --to-offset <topic>:<partition>=<offset>');
  if (values['to-earliest']) return { kind: 'earliest' };
  const datetime = values['to-datetime'];
  if (datetime !== undefined) {
    // Offsets by time are a rewind to a point in time: a zone is required, so the point is unambiguous.
    const at = new Date(datetime);
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(datetime) || Number.isNaN(at.getTime()))
      throw new UsageError(`bad --to-datetime "${datetime}": use ISO-8601 with a zone, e.g. 2026-11-26T10:00:00Z`);
    return { kind: 'datetime', at };
  }
  try {
    return { kind: 'offsets', offsets: values['to-offset']!.map(parseOffsetSpec) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function topicsOf(names: string[] | undefined): InboundTopic[] | undefined {
  if (!names) return undefined;
  return names.map((name) => {
    const topic = inboundTopics.find((t) => t === name);
    if (!topic) throw new UsageError(`unknown --topic "${name}": one of ${inboundTopics.join(', ')}`);
    return topic;
  });
}
