import type { Admin } from 'kafkajs';
import { inboundTopics, topicName, type InboundTopic } from '../contracts';
import { textTable } from '../text-table';
import { ReplayRefusedError } from '../errors';

/**
 * Replay by moving the service's consumer-group offsets back (or, with explicit
 * offsets, anywhere). Safe by construction elsewhere: the inbox skips every
 * eventId already processed and outbound eventIds are derived from the cause,
 * so replaying changes no stock and publishes nothing new; what a replay gets
 * you is the processing of what was never applied (or was lost).
 *
 * Offsets can only be set while the group has no members (Kafka refuses commits
 * from outside a live group, and a running consumer would overwrite them), so
 * the plan is made and executed against an idle group only.
 */
export type ReplayTarget = { kind: 'earliest' } | { kind: 'datetime'; at: Date } | { kind: 'offsets'; offsets: ExplicitOffset[] };

export interface ExplicitOffset {
  topic: InboundTopic;
  partition: number;
  offset: string;
}

export interface ReplayPlanEntry {
  topic: InboundTopic;
  partition: number;
  /** Committed offset of the group, null when it never committed on this partition. */
  current: string | null;
  next: string;
  /** The partition's first retained offset and its end (high watermark). */
  low: string;
  high: string;
}

export interface ReplayPlan {
  groupId: string;
  topicPrefix: string;
  target: ReplayTarget;
  entries: ReplayPlanEntry[];
}

export interface ReplayRequest {
  groupId: string;
  topicPrefix: string;
  /** Contract names of the inbound topics to move; default all four (ignored for explicit offsets, which name their own). */
  topics?: readonly InboundTopic[];
  target: ReplayTarget;
}

export async function planReplay(admin: Admin, request: ReplayRequest): Promise<ReplayPlan> {
  const { groupId, topicPrefix, target } = request;
  await assertGroupIdle(admin, groupId);
  const topics = target.kind === 'offsets' ? unique(target.offsets.map((o) => o.topic)) : (request.topics ?? inboundTopics);
  const entries: ReplayPlanEntry[] = [];
  for (const topic of topics) {
    const name = topicName(topic, topicPrefix);
    const watermarks = await admin.fetchTopicOffsets(name);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [name] });
    const current = new Map((committed?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? null : p.offset]));
    const byTime =
      target.kind === 'datetime' ? new Map((await admin.fetchTopicOffsetsByTimestamp(name, target.at.getTime())).map((p) => [p.partition, p.offset])) : null;
    const wanted = target.kind === 'offsets' ? target.offsets.filter((o) => o.topic === topic) : null;
    for (const w of sortByPartition(watermarks)) {
      let next: string | undefined;
      if (target.kind === 'earliest') next = w.low;
      else if (byTime) next = byTime.get(w.partition) ?? w.high;
      else next = wanted?.find((o) => o.partition === w.partition)?.offset;
      if (next === undefined) continue; // explicit offsets: only the partitions named
      entries.push({ topic, partition: w.partition, current: current.get(w.partition) ?? null, next, low: w.low, high: w.high });
    }
    for (const o of wanted ?? []) {
      const entry = entries.find((e) => e.topic === topic && e.partition === o.partition);
      if (!entry) throw new ReplayRefusedError(`${topic} has no partition ${o.partition} (partitions 0..${watermarks.length - 1})`);
      if (BigInt(o.offset) < BigInt(entry.low) || BigInt(o.offset) > BigInt(entry.high)) {
        throw new ReplayRefusedError(`offset ${o.offset} is outside ${topic}:${o.partition}, which holds offsets ${entry.low}..${entry.high}`);
      }
    }
  }
  return { groupId, topicPrefix, target, entries };
}

/** Commits the plan's offsets for the group (kafkajs setOffsets, per topic). Checks the group is still idle first. */
export async function executeReplay(admin: Admin, plan: ReplayPlan): Promise<void> {
  await assertGroupIdle(admin, plan.groupId);
  for (const topic of unique(plan.entries.map((e) => e.topic))) {
    const partitions = plan.entries.filter((e) => e.topic === topic).map((e) => ({ partition: e.partition, offset: e.next }));
    await admin.setOffsets({ groupId: plan.groupId, topic: topicName(topic, plan.topicPrefix), partitions });
  }
}

export async function assertGroupIdle(admin: Admin, groupId: string): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  if (!group || group.members.length === 0) return;
  const members = group.members.map((m) => `${m.clientId}@${m.clientHost.replace(/^\//, '')}`).join(', ');
  throw new ReplayRefusedError(`consumer group "${groupId}" has ${group.members.length} live member(s) (${members}); stop every service instance first`);
}

/** Parses `orders:0=42` (contract topic name, partition, offset). */
export function parseOffsetSpec(spec: string): ExplicitOffset {
  const match = /^([a-z-]+):(\d+)=(\d+)$/.exec(spec);
  if (!match) throw new ReplayRefusedError(`bad --to-offset "${spec}": expected <topic>:<partition>=<offset>, e.g. orders:0=42`);
  const topic = match[1] as InboundTopic;
  if (!inboundTopics.includes(topic)) throw new ReplayRefusedError(`bad --to-offset "${spec}": ${topic} is not an inbound topic (${inboundTopics.join(', ')})`);
  return { topic, partition: Number(match[2]), offset: String(BigInt(match[3]!)) };
}

/** The plan as table lines: per topic-partition, current -> new and how many messages that replays (or skips). */
export function formatPlan(plan: ReplayPlan): string[] {
  const rows = plan.entries.map((e) => [topicName(e.topic, plan.topicPrefix), String(e.partition), e.current ?? '-', e.next, effect(e)]);
  return textTable(['topic', 'partition', 'current', 'new', 'effect'], rows);
}

function effect(e: ReplayPlanEntry): string {
  // No committed offset: the service would start from the beginning (fromBeginning), i.e. from low.
  const from = BigInt(e.current ?? e.low);
  const delta = from - BigInt(e.next);
  if (delta > 0n) return `replays ${delta}`;
  if (delta < 0n) return `skips ${-delta}`;
  return 'unchanged';
}

function sortByPartition<T extends { partition: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.partition - b.partition);
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}
