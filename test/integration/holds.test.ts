import { TestStack } from '../support/harness';
import { inventoryOf, stockDrift } from '../support/assertions';
import { holdHelpers, MINUTE, TestClock } from '../support/holds';
import { smallCatalog } from '../fixtures/catalog';
import { expiryEventIds } from '../../src/holds/release-expired';
import type { InventoryService } from '../../src/service';
import type { TopicRecorder } from '../support/kafka';

/**
 * Holds that expire (contract v2), through the real broker and PostgreSQL, on
 * a clock the test moves forward: no test sleeps until a deadline.
 */
describe('holds that expire', () => {
  let stack: TestStack;
  let service: InventoryService;
  const clock = new TestClock();
  let h: ReturnType<typeof holdHelpers>;
  let levels: TopicRecorder;

  beforeAll(async () => {
    stack = await TestStack.start({ HOLD_SWEEP_INTERVAL_MS: '50' });
    await stack.importMasterData(
      smallCatalog(
        ['EXPIRE', 'CONFIRM', 'SHIP', 'CANCEL', 'BACKLOG', 'FIRM', 'RESTART'].flatMap((sku) => [
          { sku, location: 'A-01-1-01', quantity: 6 },
          { sku, location: 'B-01-1-01', quantity: 10 },
        ]),
      ),
    );
    levels = await stack.recordLevels();
    service = await stack.startService({ clock: clock.now });
    h = holdHelpers(stack, clock);
  });

  afterAll(() => stack.stop());

  afterEach(async () => {
    expect(await stockDrift(stack.db)).toEqual([]);
  });

  const place = async (
    orderId: string,
    sku: string,
    quantity: number,
    holdUntil: string | undefined,
    extra: { occurredAt?: string; correlationId?: string } = {},
  ) => {
    const eventId = await h.orderEvent('OrderPlaced', orderId, { warehouseId: 1, lines: [{ sku, quantity }], ...(holdUntil ? { holdUntil } : {}) }, extra);
    const outcome = await stack.outcomeOf(eventId);
    expect(outcome.envelope.eventType).toBe('StockReserved');
    return outcome;
  };

  const reservedOf = async (sku: string) => (await inventoryOf(stack.db, sku)).reduce((sum, row) => sum + row.reserved, 0);

  it('releases a hold at its deadline: StockReleased EXPIRED and ReservationExpired, stock available again; a late ship or confirm is HOLD_EXPIRED', async () => {
    const holdUntil = clock.in(10 * MINUTE);
    const reserved = await place('exp-1', 'EXPIRE', 8, holdUntil, { correlationId: 'checkout-1' });
    expect(reserved.envelope.payload.holdUntil).toBe(holdUntil);
    expect(await reservedOf('EXPIRE')).toBe(8);
    expect((await h.holdOf('exp-1'))?.status).toBe('HELD');

    // Not yet due: the sweeper runs every 50 ms and leaves it alone.
    clock.advance(9 * MINUTE);
    expect(await service.holdSweeper.sweep()).toBe(0);
    expect(await reservedOf('EXPIRE')).toBe(8);

    clock.advance(MINUTE);
    const expired = await h.waitForEvent('ReservationExpired', 'exp-1');
    const released = await h.waitForEvent('StockReleased', 'exp-1');
    const ids = expiryEventIds({ orderId: 'exp-1', holdUntil: new Date(holdUntil) });
    const productId = (await stack.db.product.findUniqueOrThrow({ where: { sku: 'EXPIRE' } })).productId;
    const lines = [{ productId, sku: 'EXPIRE', quantity: 8 }];
    expect(expired.envelope).toMatchObject({ eventId: ids.reservationExpired, causationId: null, correlationId: 'checkout-1' });
    expect(expired.envelope.payload).toEqual({ orderId: 'exp-1', expiredAt: holdUntil, lines });
    expect(released.envelope).toMatchObject({ eventId: ids.stockReleased, causationId: null, correlationId: 'checkout-1' });
    expect(released.envelope.payload).toEqual({ orderId: 'exp-1', lines, reason: 'EXPIRED' });

    expect(await inventoryOf(stack.db, 'EXPIRE')).toEqual([
      { location: 'A-01-1-01', onHand: 6, reserved: 0, available: 6 },
      { location: 'B-01-1-01', onHand: 10, reserved: 0, available: 10 },
    ]);
    const ledger = await stack.db.inventoryTransaction.findMany({ where: { referenceId: 'exp-1', txnType: 'RELEASE' }, orderBy: { locationId: 'asc' } });
    expect(ledger.map((l) => [l.quantity, l.eventId])).toEqual([
      [-6, expired.envelope.eventId],
      [-2, expired.envelope.eventId],
    ]);
    expect(await h.holdOf('exp-1')).toMatchObject({ status: 'EXPIRED', endedAt: expect.any(Date) });
    // The release moved the level of (EXPIRE, warehouse 1): its InventoryLevelChanged commits with it.
    const levelAfterExpiry = () => {
      const ofKey = levels.messages.filter((m) => m.key === `${productId}:1`);
      const reservedAt = ofKey.findIndex((m) => m.envelope?.payload.reserved === 8);
      return reservedAt < 0 ? undefined : ofKey.slice(reservedAt + 1).find((m) => m.envelope?.payload.reserved === 0);
    };
    await levels.waitFor(() => levelAfterExpiry() !== undefined, 30_000, 'the level after the expiry');
    const level = levelAfterExpiry()!;
    expect(level.envelope).toMatchObject({ eventType: 'InventoryLevelChanged', causationId: null });
    expect(level.envelope!.payload).toMatchObject({ onHand: 16, reserved: 0, available: 16 });

    // Released once: more sweeps find nothing, and the outbox holds one of each.
    expect(await service.holdSweeper.sweep()).toBe(0);
    const outbox = await stack.db.outboxEvent.findMany({ where: { messageKey: 'exp-1', eventType: { in: ['StockReleased', 'ReservationExpired'] } } });
    expect(outbox.map((o) => o.eventType).sort()).toEqual(['ReservationExpired', 'StockReleased']);

    for (const eventType of ['OrderShipped', 'OrderConfirmed']) {
      const late = await h.orderEvent(eventType, 'exp-1');
      expect((await h.deadLetterOf(late)).headers['dlq-error-code']).toBe('HOLD_EXPIRED');
      expect(await h.processedOutcome(late)).toBe('DEAD_LETTERED');
    }
    // Cancelling it afterwards releases nothing again and publishes nothing (v1's rule).
    const cancel = await h.orderEvent('OrderCancelled', 'exp-1');
    expect(await h.processedOutcome(cancel)).toBe('NOTHING_TO_RELEASE');
    expect(h.eventsOf('StockReleased', 'exp-1')).toHaveLength(1);
    expect(await reservedOf('EXPIRE')).toBe(0);
  });

  it('OrderConfirmed makes a hold firm: it is never released by the expiry; a second confirm changes nothing', async () => {
    await place('conf-1', 'CONFIRM', 5, clock.in(5 * MINUTE));
    const confirm = await h.orderEvent('OrderConfirmed', 'conf-1');
    expect(await h.processedOutcome(confirm)).toBe('CONFIRMED');
    expect(await h.holdOf('conf-1')).toMatchObject({ status: 'CONFIRMED', endedAt: expect.any(Date) });
    const again = await h.orderEvent('OrderConfirmed', 'conf-1');
    expect(await h.processedOutcome(again)).toBe('ALREADY_FIRM');

    clock.advance(6 * MINUTE);
    expect(await service.holdSweeper.sweep()).toBe(0);
    expect(await reservedOf('CONFIRM')).toBe(5);
    expect(h.eventsOf('ReservationExpired', 'conf-1')).toEqual([]);
    // Nothing published by either confirmation.
    expect(stack.recorder.messages.filter((m) => [confirm, again].includes(m.envelope?.causationId ?? ''))).toEqual([]);

    // A firm reservation is cancelled as in v1, with the reason on the wire.
    const cancel = await h.orderEvent('OrderCancelled', 'conf-1');
    expect((await stack.outcomeOf(cancel)).envelope.payload).toMatchObject({ orderId: 'conf-1', reason: 'CANCELLED' });
    expect(await reservedOf('CONFIRM')).toBe(0);
  });

  it('a shipment ends the hold: part of the order ships, the rest stays reserved past the deadline and ships later', async () => {
    await place('ship-1', 'SHIP', 9, clock.in(5 * MINUTE));
    const partial = await h.orderEvent('OrderShipped', 'ship-1', { lines: [{ sku: 'SHIP', quantity: 4 }] });
    expect((await stack.outcomeOf(partial)).envelope.eventType).toBe('StockShipped');
    expect((await h.holdOf('ship-1'))?.status).toBe('SHIPPED');

    clock.advance(6 * MINUTE);
    expect(await service.holdSweeper.sweep()).toBe(0);
    expect(await reservedOf('SHIP')).toBe(5);

    const rest = await h.orderEvent('OrderShipped', 'ship-1');
    expect((await stack.outcomeOf(rest)).envelope.payload.lines).toEqual([expect.objectContaining({ sku: 'SHIP', quantity: 5 })]);
    expect(await reservedOf('SHIP')).toBe(0);
    expect(h.eventsOf('ReservationExpired', 'ship-1')).toEqual([]);
  });

  it('cancelling a held order releases it as in v1 (reason CANCELLED) and ends the hold', async () => {
    await place('cancel-1', 'CANCEL', 3, clock.in(5 * MINUTE));
    const cancel = await h.orderEvent('OrderCancelled', 'cancel-1');
    const released = await stack.outcomeOf(cancel);
    expect(released.envelope.payload).toEqual({ orderId: 'cancel-1', lines: [expect.objectContaining({ sku: 'CANCEL', quantity: 3 })], reason: 'CANCELLED' });
    expect((await h.holdOf('cancel-1'))?.status).toBe('CANCELLED');
    clock.advance(6 * MINUTE);
    expect(await service.holdSweeper.sweep()).toBe(0);
    expect(h.eventsOf('ReservationExpired', 'cancel-1')).toEqual([]);
    // A confirmation of the cancelled order brings nothing back.
    expect(await h.processedOutcome(await h.orderEvent('OrderConfirmed', 'cancel-1'))).toBe('ORDER_CANCELLED');
  });

  it('a hold already past when it is applied (a backlog) is reserved, then released at once by the expiry', async () => {
    const occurredAt = clock.in(-20 * MINUTE);
    const holdUntil = clock.in(-10 * MINUTE);
    const reserved = await place('backlog-1', 'BACKLOG', 2, holdUntil, { occurredAt });
    expect(reserved.envelope.payload.holdUntil).toBe(holdUntil);
    const expired = await h.waitForEvent('ReservationExpired', 'backlog-1');
    expect(expired.envelope.payload).toMatchObject({ expiredAt: holdUntil });
    expect((await h.waitForEvent('StockReleased', 'backlog-1')).envelope.payload.reason).toBe('EXPIRED');
    expect(await reservedOf('BACKLOG')).toBe(0);
  });

  it('orders without a hold behave as in v1: no holdUntil on StockReserved (the v1 payload), no hold row, a confirmation changes nothing', async () => {
    const reserved = await place('firm-1', 'FIRM', 4, undefined);
    expect(reserved.envelope.payload).not.toHaveProperty('holdUntil');
    expect(await h.holdOf('firm-1')).toBeNull();
    expect(await h.processedOutcome(await h.orderEvent('OrderConfirmed', 'firm-1'))).toBe('NOT_ON_HOLD');
    expect(await h.processedOutcome(await h.orderEvent('OrderConfirmed', 'never-placed'))).toBe('NOT_ON_HOLD');
    clock.advance(31 * 24 * 60 * MINUTE);
    expect(await service.holdSweeper.sweep()).toBe(0);
    expect(await reservedOf('FIRM')).toBe(4);
  });

  it('refuses a holdUntil outside its window as INVALID_PAYLOAD, with nothing reserved', async () => {
    const occurredAt = clock.now();
    const at = (ms: number) => new Date(occurredAt.getTime() + ms).toISOString();
    for (const holdUntil of [at(0), at(-MINUTE), at(30 * 24 * 60 * MINUTE + 1)]) {
      const eventId = await h.orderEvent(
        'OrderPlaced',
        `window-${holdUntil}`,
        { warehouseId: 1, lines: [{ sku: 'FIRM', quantity: 1 }], holdUntil },
        { occurredAt: occurredAt.toISOString() },
      );
      const dead = await h.deadLetterOf(eventId);
      expect(dead.headers['dlq-error-code']).toBe('INVALID_PAYLOAD');
      expect(dead.headers['dlq-error-message']).toMatch(/^payload\.holdUntil/);
    }
    expect(await reservedOf('FIRM')).toBe(4);
  });

  it('releases at once on start the holds that expired while no instance was running', async () => {
    const holdUntil = clock.in(2 * MINUTE);
    await place('restart-1', 'RESTART', 7, holdUntil);
    stack.services.splice(stack.services.indexOf(service), 1);
    await service.stop();

    clock.advance(3 * MINUTE);
    // Nothing sweeps while the service is down.
    expect((await h.holdOf('restart-1'))?.status).toBe('HELD');
    expect(await reservedOf('RESTART')).toBe(7);

    service = await stack.startService({ clock: clock.now });
    expect((await h.waitForEvent('ReservationExpired', 'restart-1')).envelope.payload.expiredAt).toBe(holdUntil);
    expect(await reservedOf('RESTART')).toBe(0);
  });
});
