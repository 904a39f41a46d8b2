import type { InboundRecord } from './types';
import type { EventOutcome } from '../../src/event-outcome';

interface Waiting {
  records: readonly InboundRecord[];
  resolve: (results: EventOutcome[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across partitions. kafkajs hands this instance the batches of
 * several partitions at once and fetches again only when every one of them is
 * done; with a transaction per partition, those transactions queue on shared
 * rows and an event that arrives meanwhile waits for all of them. Here the
 * runs that the partitions of one topic hand in together are applied in one
 * transaction, and runs handed in while `maxTransactions` are in flight wait
 * and go together into the next: a fetch costs about one transaction however
 * many partitions it carries. A partition hands in its next run only after
 * the last one's results, so it is never in two transactions at once and
 * keeps its offset order. Each run gets back exactly its own results; when
 * the transaction fails, every run in it gets the error (the runner retries
 * each).
 *
 * kafkajs has no such option: its eachBatch is per partition, and eachMessage
 * or a batch across partitions does not exist.
 */
export class GroupCommit {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly scheduled = new Set<string>();

  constructor(
    private readonly apply: (records: readonly InboundRecord[]) => Promise<EventOutcome[]>,
    /** A transaction takes whole runs while their total stays within this (at least one run). */
    private readonly maxEvents: number,
    /** Transactions of one topic at once. */
    private readonly maxTransactions: number,
  ) {}

  /** Applies a partition's run (all of one topic) in the next transaction; its results, in order. */
  submit(records: readonly InboundRecord[]): Promise<EventOutcome[]> {
    const topic = records[0]!.topic;
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(topic) ?? [];
      queue.push({ records, resolve, reject });
      this.waiting.set(topic, queue);
      if (this.scheduled.has(topic)) return;
      this.scheduled.add(topic);
      // One turn of the event loop first: the other partitions of the same fetch hand in their runs.
      setImmediate(() => {
        this.scheduled.delete(topic);
        this.start(topic);
      });
    });
  }

  /** Starts transactions for the runs waiting, as many as may be in flight. */
  private start(topic: string): void {
    const queue = this.waiting.get(topic)!;
    while (queue.length > 0 && (this.inFlight.get(topic) ?? 0) < this.maxTransactions) {
      const taken = [queue.shift()!];
      let total = taken[0]!.records.length;
      while (queue.length > 0 && total + queue[0]!.records.length <= this.maxEvents) {
        total += queue[0]!.records.length;
        taken.push(queue.shift()!);
      }
      this.inFlight.set(topic, (this.inFlight.get(topic) ?? 0) + 1);
      void this.applyRuns(taken).finally(() => {
        this.inFlight.set(topic, this.inFlight.get(topic)! - 1);
        this.start(topic);
      });
    }
  }

  private async applyRuns(taken: readonly Waiting[]): Promise<void> {
    try {
      const results = await this.apply(taken.flatMap((w) => w.records));
      let at = 0;
      for (const w of taken) {
        w.resolve(results.slice(at, at + w.records.length));
        at += w.records.length;
      }
    } catch (error) {
      for (const w of taken) w.reject(error);
    }
  }
}
