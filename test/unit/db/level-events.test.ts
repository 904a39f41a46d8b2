import { levelChangedEvents, levelEventId, type LevelChange } from '../../../src/db/level-changes';
import { inventoryLevelChangedPayload } from '../../../src/contracts';

const change = (over: Partial<LevelChange> = {}): LevelChange => ({
  productId: 7,
  warehouseId: 2,
  sku: 'SKU-7',
  onHand: 12,
  reserved: 4,
  backordered: 0,
  incoming: 50,
  reorderPoint: 10,
  version: 3,
  previous: { onHand: 12, reserved: 0, backordered: 0, incoming: 50, reorderPoint: 10 },
  ...over,
});

describe('InventoryLevelChanged from a level change', () => {
  const at = new Date('2026-12-01T12:00:00.000Z');

  test('keyed {productId}:{warehouseId}, figures as committed, valid by the contract', () => {
    const [event] = levelChangedEvents([change()], at);
    expect(event).toMatchObject({ eventType: 'InventoryLevelChanged', key: '7:2', eventId: levelEventId(7, 2, 3) });
    expect(event!.payload).toEqual({
      productId: 7,
      sku: 'SKU-7',
      warehouseId: 2,
      onHand: 12,
      reserved: 4,
      available: 8,
      backordered: 0,
      incoming: 50,
      status: 'LOW_STOCK',
      previousStatus: 'IN_STOCK',
      version: 3,
      changedAt: '2026-12-01T12:00:00.000Z',
    });
    expect(inventoryLevelChangedPayload.safeParse(event!.payload).success).toBe(true);
  });

  test.each([
    ['nothing available', { onHand: 4, reserved: 4 }, 'OUT_OF_STOCK'],
    ['one below the reorder point', { onHand: 9, reserved: 0 }, 'LOW_STOCK'],
    ['at the reorder point (the trigger does not fire there either)', { onHand: 10, reserved: 0 }, 'IN_STOCK'],
    ['a reorder point of 0 and stock', { onHand: 1, reserved: 0, reorderPoint: 0 }, 'IN_STOCK'],
  ])('status: %s', (_name, figures, status) => {
    expect(levelChangedEvents([change(figures)], at)[0]!.payload).toMatchObject({ status });
  });

  test('previousStatus comes from the previous record, null on the first', () => {
    expect(levelChangedEvents([change({ previous: null, version: 1 })], at)[0]!.payload).toMatchObject({ previousStatus: null });
    // Only the reorder point moved: the same stock was IN_STOCK under the old point and is LOW_STOCK now.
    const raised = change({ onHand: 12, reserved: 0, reorderPoint: 20, previous: { onHand: 12, reserved: 0, backordered: 0, incoming: 50, reorderPoint: 10 } });
    expect(levelChangedEvents([raised], at)[0]!.payload).toMatchObject({ status: 'LOW_STOCK', previousStatus: 'IN_STOCK' });
  });

  test('the eventId is the key and version only: the same for a retry, different for the next version or key', () => {
    expect(levelEventId(7, 2, 3)).toBe(levelEventId(7, 2, 3));
    expect(new Set([levelEventId(7, 2, 3), levelEventId(7, 2, 4), levelEventId(7, 3, 3), levelEventId(2, 7, 3)]).size).toBe(4);
  });
});
