import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { topicName, topics, type TopicBase } from '../../../src/contracts';
import type { ImportFileInput } from '../../../src/master-data/import-schema';
import { sleep } from './exec';
import { readToEnd } from '../../../src/kafka-read';
import { seededRandom } from '../../../bench/stats';

/** A kafkajs client on the given brokers that never logs (faults make it noisy on purpose). */
export function kafkaOn(brokers: string, retries = 5): Kafka {
  return new Kafka({
    clientId: `faults-${randomBytes(3).toString('hex')}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

export function randomPrefix(): string {
  return `f${randomBytes(4).toString('hex')}.`;
}

/** Best effort, like the harness: a broker that outlives many runs (and is restarted by a scenario) should not keep every run's topics. */
export async function deleteTopics(brokers: string, prefix: string): Promise<void> {
  const admin = kafkaOn(brokers, 2).admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics).map((t) => topicName(t, prefix)), timeout: 10_000 });
  } catch {
    // left to the broker's retention; nothing depends on it
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Master data for the fault scenarios: warehouses WH1 and WH2, every SKU's
 * stock in WH1 split over a pick face and a bulk location (so reservations
 * span locations), WH2 empty. Tiny products, big locations: capacity never
 * matters here.
 */
export function faultCatalog(stock: Record<string, number>, options: { backorderSkus?: readonly string[] } = {}): ImportFileInput {
  const skus = Object.keys(stock);
  return {
    categories: [{ code: 'FAULT', name: 'Fault injection' }],
    suppliers: [{ code: 'ACME', name: 'Acme Corp' }],
    warehouses: ['WH1', 'WH2'].map((code) => ({
      code,
      name: `Warehouse ${code}`,
      timezone: 'UTC',
      locations: [
        { aisle: 'A', bay: '01', level: '1', bin: '01', type: 'PICK_FACE' as const, maxWeightKg: 1_000_000, maxVolumeCubicCm: 1_000_000_000 },
        { aisle: 'B', bay: '01', level: '1', bin: '01', type: 'BULK' as const, maxWeightKg: 1_000_000, maxVolumeCubicCm: 1_000_000_000 },
      ],
    })),
    products: skus.map((sku) => ({
      sku,
      name: `Product ${sku}`,
      category: 'FAULT',
      supplier: 'ACME',
      unitCost: '1.00',
      unitWeightGrams: 1,
      dimensions: { length: 1, width: 1, height: 1 },
      reorderPoint: 0,
      reorderQuantity: 0,
      leadTimeDays: 1,
      // Contract v2: these may be backordered by orders that allow it.
      allowBackorder: options.backorderSkus?.includes(sku) ?? false,
    })),
    stock: skus.flatMap((sku) => {
      const total = stock[sku]!;
      const pick = Math.floor(total * 0.6);
      return [
        { sku, warehouse: 'WH1', location: 'A-01-1-01', quantity: pick },
        { sku, warehouse: 'WH1', location: 'B-01-1-01', quantity: total - pick },
      ].filter((s) => s.quantity > 0);
    }),
  };
}

export interface OrderSpec {
  eventId: string;
  orderId: string;
  warehouseId?: number;
  lines: { sku: string; quantity: number }[];
  /** Contract v2: backorder what is short (products with allowBackorder only). */
  backorder?: 'ALLOW';
  /** Contract v2: a hold, released this long after the envelope's occurredAt unless confirmed first. */
  holdForMs?: number;
  /** The eventId of an OrderConfirmed sent right after the OrderPlaced (same key, so after it on its partition). */
  confirmEventId?: string;
}

/** Long holds outlive the run; short ones expire during it (the sweeper releases them). */
export const LONG_HOLD_MS = 86_400_000;

/**
 * n OrderPlaced events: 1..maxLines lines of distinct SKUs, quantities
 * 1..maxQuantity, a quarter without warehouseId (the service chooses).
 */
export function generateOrders(
  n: number,
  skus: string[],
  options: { seed: number; maxLines: number; maxQuantity: number; warehouseId: number; runId: string; backorderEvery?: number; holdEvery?: number },
): OrderSpec[] {
  const random = seededRandom(options.seed);
  // A generator of its own, so the v1 orders stay the same sequence with or without backorders in the mix.
  const backorders = seededRandom(options.seed + 1);
  const holds = seededRandom(options.seed + 2);
  const pick = (k: number) => Math.floor(random() * k);
  // Of the holds: a third expire 2-5 s after they were placed; the rest are long, half of those confirmed.
  // Only long holds are confirmed: a confirmation racing a short hold's expiry is dead-lettered HOLD_EXPIRED by design.
  const hold = (): Pick<OrderSpec, 'holdForMs' | 'confirmEventId'> => {
    if (!options.holdEvery || Math.floor(holds() * options.holdEvery) !== 0) return {};
    const kind = Math.floor(holds() * 6);
    if (kind < 2) return { holdForMs: 2000 + Math.floor(holds() * 3000) };
    return kind < 4 ? { holdForMs: LONG_HOLD_MS, confirmEventId: randomUUID() } : { holdForMs: LONG_HOLD_MS };
  };
  return Array.from({ length: n }, (_, i) => {
    const count = 1 + pick(Math.min(options.maxLines, skus.length));
    const chosen = new Set<string>();
    while (chosen.size < count) chosen.add(skus[pick(skus.length)]!);
    return {
      eventId: randomUUID(),
      orderId: `${options.runId}-${i}`,
      warehouseId: pick(4) === 0 ? undefined : options.warehouseId,
      lines: [...chosen].map((sku) => ({ sku, quantity: 1 + pick(options.maxQuantity) })),
      ...(options.backorderEvery && Math.floor(backorders() * options.backorderEvery) === 0 ? { backorder: 'ALLOW' as const } : {}),
      ...hold(),
    };
  });
}

export function orderEnvelope(order: OrderSpec) {
  const occurredAt = new Date();
  return {
    eventId: order.eventId,
    eventType: 'OrderPlaced',
    eventVersion: 1,
    occurredAt: occurredAt.toISOString(),
    correlationId: `faults-${order.orderId}`,
    causationId: null,
    payload: {
      orderId: order.orderId,
      ...(order.warehouseId ? { warehouseId: order.warehouseId } : {}),
      lines: order.lines,
      ...(order.backorder ? { backorder: order.backorder } : {}),
      ...(order.holdForMs ? { holdUntil: new Date(occurredAt.getTime() + order.holdForMs).toISOString() } : {}),
    },
  };
}

export function confirmEnvelope(order: OrderSpec & { confirmEventId: string }) {
  return {
    eventId: order.confirmEventId,
    eventType: 'OrderConfirmed',
    eventVersion: 1,
    occurredAt: new Date().toISOString(),
    correlationId: `faults-${order.orderId}`,
    causationId: null,
    payload: { orderId: order.orderId },
  };
}

/** Every inbound event of the orders: the OrderPlaced and the OrderConfirmed that follow some of them. */
export function inputCount(orders: readonly OrderSpec[]): number {
  return orders.length + orders.filter((o) => o.confirmEventId).length;
}

/** Sends messages, retrying a failed send until the deadline (the broker may be restarting). Returns the failed attempts. */
export async function sendWithRetry(
  producer: Producer,
  topic: string,
  messages: { key: string; value: string; headers?: Record<string, string> }[],
  deadlineMs: number,
): Promise<number> {
  let failures = 0;
  for (;;) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return failures;
    } catch (error) {
      failures++;
      if (Date.now() > deadlineMs) throw new Error(`could not publish to ${topic} before the deadline: ${(error as Error).message}`);
      await sleep(Math.min(250 * failures, 2000));
    }
  }
}

/**
 * Publishes the orders in chunks, never more than `ahead` messages ahead of
 * what the service has processed (progress()), so the input keeps arriving
 * for the whole run, faults included: a stream, not a preloaded backlog.
 * A send that fails is sent again (the same eventIds): the inbox must absorb
 * any copy that made it anyway.
 */
export class OrderStream {
  sent = 0;
  sendFailures = 0;
  private stopped = false;
  done: Promise<void>;

  constructor(
    producer: Producer,
    prefix: string,
    orders: readonly OrderSpec[],
    progress: () => number,
    options: { chunk?: number; ahead?: number; deadlineMs: number },
  ) {
    const chunk = options.chunk ?? 250;
    const ahead = options.ahead ?? 4000;
    const topic = topicName('orders', prefix);
    this.done = (async () => {
      while (this.sent < orders.length && !this.stopped) {
        if (this.sent - progress() >= ahead) {
          if (Date.now() > options.deadlineMs) throw new Error(`order stream stalled at ${this.sent} sent, ${progress()} processed`);
          await sleep(50);
          continue;
        }
        const batch = orders.slice(this.sent, this.sent + chunk);
        const messages = batch.flatMap((o) => [
          { key: o.orderId, value: JSON.stringify(orderEnvelope(o)), headers: { 'event-type': 'OrderPlaced', 'event-id': o.eventId } },
          ...(o.confirmEventId
            ? [
                {
                  key: o.orderId,
                  value: JSON.stringify(confirmEnvelope({ ...o, confirmEventId: o.confirmEventId })),
                  headers: { 'event-type': 'OrderConfirmed', 'event-id': o.confirmEventId },
                },
              ]
            : []),
        ]);
        this.sendFailures += await sendWithRetry(producer, topic, messages, options.deadlineMs);
        this.sent += batch.length;
      }
    })();
    // Reported through `done`; avoid an unhandled rejection before someone awaits it.
    this.done.catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
  }
}

/**
 * A plain pg connection for the test's own reads, which reconnects after the
 * database went away (the PostgreSQL restart scenario). query() throws while
 * the database is down.
 */
export class Probe {
  private client: Client | null = null;

  constructor(private readonly url: string) {}

  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 3000, query_timeout: 30_000 });
        client.on('error', () => undefined);
        await client.connect();
        this.client = client;
      }
      return (await this.client.query(sql, params)).rows as T[];
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

/**
 * Samples the database while the service runs: how many inbound events are
 * done (processed_event rows), and whether any inventory row is over-reserved
 * (reserved > on hand; the CHECK constraint should make it impossible).
 */
export class Sampler {
  processed = 0;
  samples = 0;
  failedSamples = 0;
  overReservedSeen: unknown[] = [];
  maxReservedPerProduct = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly probe: Probe;

  constructor(
    url: string,
    private readonly intervalMs = 200,
  ) {
    this.probe = new Probe(url);
  }

  start(): this {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    return this;
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [count] = await this.probe.query<{ n: string }>('SELECT count(*) AS n FROM processed_event');
      this.processed = Number(count!.n);
      const over = await this.probe.query(
        'SELECT product_id, location_id, quantity_on_hand, quantity_reserved FROM inventory WHERE quantity_reserved > quantity_on_hand OR quantity_reserved < 0 OR quantity_on_hand < 0',
      );
      if (over.length > 0) this.overReservedSeen.push(...over);
      for (const row of await this.probe.query<{ product_id: number; reserved: string }>(
        'SELECT product_id, SUM(quantity_reserved) AS reserved FROM inventory GROUP BY product_id',
      )) {
        this.maxReservedPerProduct.set(row.product_id, Math.max(this.maxReservedPerProduct.get(row.product_id) ?? 0, Number(row.reserved)));
      }
      this.samples++;
    } catch {
      this.failedSamples++;
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.busy) await sleep(20);
    await this.probe.close();
  }
}

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Every message of the topics from the beginning up to their current end
 * (high watermarks read first), bytes as they are on the wire.
 */
/** Everything on these topics now, as a read_committed consumer (the kafkajs default) sees it. */
export async function readTopics(kafka: Kafka, topics: string[], timeoutMs = 120_000): Promise<RawMessage[]> {
  const messages: RawMessage[] = [];
  await readToEnd(
    kafka,
    topics,
    (topic, partition, m) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
      messages.push({ topic, partition, offset: m.offset, key: m.key, value: m.value, headers });
    },
    { timeoutMs, groupPrefix: 'faults-reader', maxBytes: 50 * 1024 * 1024 },
  );
  return messages;
}

export function envelopeOfRaw(message: RawMessage): { eventId: string; eventType: string; causationId: string | null; payload: any } | null {
  try {
    return JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return null;
  }
}

export function topicOf(base: TopicBase, prefix: string): string {
  return topicName(base, prefix);
}
