import type { TopicOffsets } from 'kafkajs';

type Send = (offsets: { topics: TopicOffsets[] }) => Promise<void>;

/**
 * Commits the offsets of the partitions whose runs shared a transaction in one
 * request. The broker answers the requests of one connection one at a time, so
 * six partitions committing separately held the next fetch back by six round
 * trips (about 30 ms here); kafkajs commits only what it is given, or, with
 * autoCommit, on an interval or count, never "what is ready in this turn".
 */
export class OffsetCommits {
  private pending = new Map<string, Map<number, string>>();
  private flush: Promise<void> | null = null;

  /**
   * Commits `offset` (the next one to read) for the partition together with
   * the others handed in during this turn of the event loop; resolves when
   * the broker has them. Any partition's commit function will do: they all
   * commit through the same consumer group.
   */
  commit(send: Send, topic: string, partition: number, offset: string): Promise<void> {
    const partitions = this.pending.get(topic) ?? new Map<number, string>();
    partitions.set(partition, offset);
    this.pending.set(topic, partitions);
    this.flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const topics = [...this.pending].map(([name, byPartition]) => ({
        topic: name,
        partitions: [...byPartition].map(([p, o]) => ({ partition: p, offset: o })),
      }));
      this.pending = new Map();
      this.flush = null;
      return send({ topics });
    });
    return this.flush;
  }
}
