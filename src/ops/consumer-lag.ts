import type { Admin, Kafka } from 'kafkajs';
import { inboundTopics, topicName, type InboundTopic } from '../contracts';

export interface TopicLag {
  /** Contract name, without the prefix. */
  topic: InboundTopic;
  /** Messages the consumer group has not committed yet, summed over the topic's partitions. */
  lag: number;
  partitions: number;
}

export interface ConsumerLagReport {
  groupId: string;
  measuredAt: Date;
  topics: TopicLag[];
}

export interface ConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  topicPrefix: string;
  /** Answers younger than this are served again: a console left open on many desks must not hammer the broker. */
  cacheMs?: number;
  clock?: () => Date;
}

/**
 * The consumer group's lag per inbound topic, from the broker: the partition
 * ends (high watermarks) minus the group's committed offsets. This is the lag
 * of the whole group, every instance included, unlike the per-instance
 * inventory_consumer_lag gauge, which only knows the partitions this instance
 * owns. A partition the group never committed counts from its low watermark
 * (everything still there is unread).
 */
export class ConsumerLagReader {
  private admin: Admin | null = null;
  private connecting: Promise<Admin> | null = null;
  private cached: { at: number; report: Promise<ConsumerLagReport> } | null = null;
  private readonly cacheMs: number;
  private readonly clock: () => Date;

  constructor(private readonly options: ConsumerLagOptions) {
    this.cacheMs = options.cacheMs ?? 5000;
    this.clock = options.clock ?? (() => new Date());
  }

  get groupId(): string {
    return this.options.groupId;
  }

  read(): Promise<ConsumerLagReport> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.report;
    const report = this.measure();
    this.cached = { at: now, report };
    // A failure is not cached: the next call asks the broker again.
    report.catch(() => {
      if (this.cached?.report === report) this.cached = null;
    });
    return report;
  }

  async close(): Promise<void> {
    const admin = this.admin ?? (await this.connecting?.catch(() => null));
    this.admin = null;
    this.connecting = null;
    await admin?.disconnect();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.options.kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })();
    try {
      return await this.connecting;
    } catch (error) {
      this.connecting = null;
      throw error;
    }
  }

  private async measure(): Promise<ConsumerLagReport> {
    const admin = await this.connected();
    const { groupId, topicPrefix } = this.options;
    const names = inboundTopics.map((t) => topicName(t, topicPrefix));
    const committed = await admin.fetchOffsets({ groupId, topics: names });
    const committedByTopic = new Map(committed.map((c) => [c.topic, new Map(c.partitions.map((p) => [p.partition, Number(p.offset)]))]));
    const topics = await Promise.all(
      inboundTopics.map(async (topic, i): Promise<TopicLag> => {
        const ends = await admin.fetchTopicOffsets(names[i]!);
        const offsets = committedByTopic.get(names[i]!) ?? new Map<number, number>();
        let lag = 0;
        for (const end of ends) {
          const high = Number(end.high);
          const at = offsets.get(end.partition);
          const from = at === undefined || at < 0 ? Number(end.low) : at;
          lag += Math.max(0, high - from);
        }
        return { topic, lag, partitions: ends.length };
      }),
    );
    return { groupId, measuredAt: this.clock(), topics };
  }
}
