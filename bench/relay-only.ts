/**
 * The outbox relay alone: stages RELAY_BENCH_ROWS outcome rows (one per cause,
 * as consumers write them), then lets one relay publish them and reports
 * events/s from its start to an empty outbox. Runs against the database and
 * broker given (never at full size on a shared machine):
 *   DATABASE_URL=... KAFKA_BROKERS=... RELAY_BENCH_ROWS=20000 node dist/bench/relay-only.js
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createDb } from '../src/db/client';
import { stageOutbound, type CausedEvents } from '../src/db/outbox';
import { createLogger } from '../src/logger';
import { ensureTopics } from '../src/kafka-topics';
import { OutboxRelay } from '../producers/outbox-relay';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL!;
  const rows = Number(process.env.RELAY_BENCH_ROWS ?? 20_000);
  const prefix = `relaybench-${randomUUID().slice(0, 8)}.`;
  const kafka = new Kafka({ clientId: 'relay-bench', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, prefix, 6, 1);
  const db = createDb(url, 4);
  const [pending] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL`;
  if (Number(pending!.n) > 0) throw new Error('the database has unpublished outbox rows: use a database of its own');
  for (let staged = 0; staged < rows; staged += 500) {
    const caused: CausedEvents[] = Array.from({ length: Math.min(500, rows - staged) }, (_, i) => ({
      cause: { eventId: randomUUID(), correlationId: randomUUID() },
      events: [
        {
          eventType: 'StockReserved',
          key: `order-${staged + i}`,
          payload: {
            orderId: `order-${staged + i}`,
            warehouseId: 1,
            lines: [{ productId: 1, sku: 'BOLT-M8', quantity: 2, allocations: [{ locationId: 7, quantity: 2 }] }],
          },
        },
      ],
    }));
    await db.$transaction((tx) => stageOutbound(tx, caused));
  }
  const relay = new OutboxRelay({
    databaseUrl: url,
    kafka,
    transactionalId: `${prefix}relay`,
    topicPrefix: prefix,
    logger: createLogger('warn'),
    pollMs: 200,
    maxBatchBytes: 1_000_000,
    sessionTimeoutMs: 30_000,
  });
  const started = Date.now();
  relay.start();
  for (;;) {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL`;
    if (Number(row!.n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (Date.now() - started) / 1000;
  await relay.stop();
  await db.$disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
  await admin.disconnect();
  process.stdout.write(
    `relay-only: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} events/s (includes the leader's start: lock, fence, offsets read)\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`relay-only: ${(error as Error).message}\n`);
  process.exit(1);
});
