import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { smallCatalog } from '../fixtures/catalog';
import { envelope } from '../support/kafka';
import { processMessage } from '../../consumers/pipeline/process-records';
import { handlersByType } from '../../consumers/registry';
import { createLogger } from '../../src/logger';

const STOCK = 20;
const ORDERS = 50;

describe('no overselling under concurrency', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(
      smallCatalog([
        { sku: 'HOT', location: 'A-01-1-01', quantity: 12 },
        { sku: 'HOT', location: 'B-01-1-01', quantity: STOCK - 12 },
      ]),
    );
  });

  afterEach(() => stack.stop());

  it('two consumer instances in one group reserve exactly the stock there is', async () => {
    await stack.startService();
    await stack.startService();
    await stack.waitForGroupMembers(2);
    let maxReservedSeen = 0;
    let overReserved = false;
    const watcher = setInterval(async () => {
      const rows = await inventoryOf(stack.db, 'HOT').catch(() => []);
      for (const r of rows) if (r.reserved > r.onHand) overReserved = true;
      maxReservedSeen = Math.max(
        maxReservedSeen,
        rows.reduce((s, r) => s + r.reserved, 0),
      );
    }, 20);

    const ids = (
      await Promise.all(
        Array.from({ length: ORDERS }, (_, i) =>
          stack.publish('orders', `hot-${i}`, [
            { eventType: 'OrderPlaced', payload: { orderId: `hot-${i}`, warehouseId: 1, lines: [{ sku: 'HOT', quantity: 1 }] } },
          ]),
        ),
      )
    ).flat();
    const outcomes = (await stack.outcomesOf(ids, 60_000)).map((o) => o[0]!.envelope!.eventType);
    clearInterval(watcher);

    expect(outcomes.filter((t) => t === 'StockReserved')).toHaveLength(STOCK);
    expect(outcomes.filter((t) => t === 'InsufficientStock')).toHaveLength(ORDERS - STOCK);
    expect((await inventoryOf(stack.db, 'HOT')).reduce((s, r) => s + r.reserved, 0)).toBe(STOCK);
    expect(overReserved).toBe(false);
    expect(maxReservedSeen).toBeLessThanOrEqual(STOCK);
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  it('parallel transactions on one SKU: stock 1, four orders at once, exactly one wins', async () => {
    await stack.db.$executeRaw`UPDATE inventory SET quantity_on_hand = CASE WHEN location_id = 1 THEN 1 ELSE 0 END`;
    await stack.db.$executeRaw`TRUNCATE inventory_transaction`;
    await stack.db
      .$executeRaw`INSERT INTO inventory_transaction (product_id, location_id, txn_type, quantity, reference_type, reference_id) SELECT product_id, location_id, 'RECEIVE', 1, 'IMPORT', 'opening-stock' FROM inventory WHERE location_id = 1`;

    const deps = {
      db: stack.db,
      producer: { send: () => Promise.reject(new Error('no dead letters expected')) } as unknown as Producer,
      topicPrefix: stack.config.KAFKA_TOPIC_PREFIX,
      logger: createLogger('silent'),
      handlers: handlersByType(),
      settings: { receiptOverTolerancePercent: 0 },
    };
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((order, i) =>
        processMessage(deps, {
          topic: 'orders',
          partition: 0,
          message: {
            key: Buffer.from(order),
            value: Buffer.from(
              JSON.stringify(
                envelope({
                  eventType: 'OrderPlaced',
                  eventId: randomUUID(),
                  payload: { orderId: order, warehouseId: 1, lines: [{ sku: 'HOT', quantity: 1 }] },
                }),
              ),
            ),
            offset: String(i),
            timestamp: String(Date.now()),
            attributes: 0,
            headers: {},
          },
        }),
      ),
    );
    const outcomes = results.map((r) =>
      r.status === 'fulfilled' && r.value.status === 'APPLIED' ? r.value.outcome : `failed: ${String((r as PromiseRejectedResult).reason)}`,
    );
    expect(outcomes.sort()).toEqual(['INSUFFICIENT_STOCK', 'INSUFFICIENT_STOCK', 'INSUFFICIENT_STOCK', 'RESERVED']);
    expect(await inventoryOf(stack.db, 'HOT')).toEqual([
      { location: 'A-01-1-01', onHand: 1, reserved: 1, available: 0 },
      { location: 'B-01-1-01', onHand: 0, reserved: 0, available: 0 },
    ]);
    expect(await stockDrift(stack.db)).toEqual([]);
  });
});
