import { createTestDatabase } from '../support/database';
import { smallCatalog } from '../fixtures/catalog';
import { createDb, type Db } from '../../src/db/client';
import { applyStockChanges } from '../../src/db/inventory';
import { readInventoryLevels } from '../../src/db/inventory-levels';
import { recordStockRowChanges, writeLevelChanges, type LevelChange } from '../../src/db/level-changes';
import { importMasterData } from '../../src/master-data/import';
import { waitUntil } from '../support/kafka';

/**
 * The level rows under concurrency, on the real PostgreSQL: two transactions
 * change one (product, warehouse) through different inventory rows (so no
 * inventory row lock orders them), and the second one's end-of-transaction
 * statement takes its snapshot while the first still holds the level row. The
 * committed level must still be the true figures, with a higher version.
 */
describe('level rows of concurrent transactions on one key', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let productId: number;
  let pickFace: number;
  let bulk: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, 4);
    await importMasterData(
      db,
      smallCatalog([
        { sku: 'HOT', location: 'A-01-1-01', quantity: 10 },
        { sku: 'HOT', location: 'B-01-1-01', quantity: 10 },
      ]),
    );
    productId = (await db.product.findUniqueOrThrow({ where: { sku: 'HOT' } })).productId;
    const locations = await db.location.findMany({ where: { warehouse: { code: 'WH1' } }, orderBy: { locationId: 'asc' } });
    pickFace = locations.find((l) => l.aisle === 'A' && l.bin === '01')!.locationId;
    bulk = locations.find((l) => l.aisle === 'B')!.locationId;
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /** Is some backend of this database waiting for a lock right now? */
  async function someoneWaitsForALock(): Promise<boolean> {
    const [row] = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    return row!.n > 0;
  }

  it.each([
    ['the key has a level row already', false],
    ['the key has no level row yet (both insert it)', true],
  ])('%s: the later commit publishes the figures of both, with the next version', async (_name, fresh) => {
    if (fresh) await db.inventoryLevelState.deleteMany({});
    const before = (await db.inventoryLevelState.findUnique({ where: { productId_warehouseId: { productId, warehouseId: 1 } } }))?.version ?? 0;
    const [start] = await readInventoryLevels(db, { productIds: [productId], warehouseId: 1 });

    let firstHoldsTheLevelRow!: () => void;
    const levelRowHeld = new Promise<void>((resolve) => (firstHoldsTheLevelRow = resolve));
    let letFirstCommit!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (letFirstCommit = resolve));
    const now = new Date();

    // First: +3 at the bulk location, level row written, commit held back.
    const first = db.$transaction(async (tx) => {
      await applyStockChanges(tx, [{ productId, locationId: bulk, onHandDelta: 3, reservedDelta: 0 }], now);
      const changes = await writeLevelChanges(tx, now);
      firstHoldsTheLevelRow();
      await firstMayCommit;
      return changes;
    });
    // Second: +5 at the pick face; its level statement starts (and takes its snapshot) while the
    // first holds the level row, and is granted the row only after the first has committed.
    const second = db.$transaction(async (tx) => {
      await applyStockChanges(tx, [{ productId, locationId: pickFace, onHandDelta: 5, reservedDelta: 0 }], now);
      await levelRowHeld;
      return writeLevelChanges(tx, now);
    });
    await levelRowHeld;
    await waitUntil(someoneWaitsForALock, 10_000, 'the second transaction never waited for the level row');
    letFirstCommit();
    const [firstChanges, secondChanges] = (await Promise.all([first, second])) as [LevelChange[], LevelChange[]];

    expect(firstChanges.map((c) => [c.version, c.onHand])).toEqual([[before + 1, start!.onHand + 3]]);
    expect(secondChanges.map((c) => [c.version, c.onHand])).toEqual([[before + 2, start!.onHand + 8]]);
    // The second one's previous figures are the first one's, not what its first snapshot showed.
    expect(secondChanges[0]!.previous?.onHand).toBe(start!.onHand + 3);
    const [committed] = await readInventoryLevels(db, { productIds: [productId], warehouseId: 1 });
    expect(committed).toMatchObject({ onHand: start!.onHand + 8, version: before + 2 });
  });

  it('a key whose figures did not change gets no new version', async () => {
    const version = async () => (await db.inventoryLevelState.findUniqueOrThrow({ where: { productId_warehouseId: { productId, warehouseId: 1 } } })).version;
    const was = await version();
    const changes = await db.$transaction(async (tx) => {
      // A unit moved between two locations of the same warehouse: its figures stay.
      await applyStockChanges(
        tx,
        [
          { productId, locationId: bulk, onHandDelta: -1, reservedDelta: 0 },
          { productId, locationId: pickFace, onHandDelta: 1, reservedDelta: 0 },
        ],
        new Date(),
      );
      recordStockRowChanges(tx, [{ productId, locationId: bulk }]);
      return writeLevelChanges(tx, new Date());
    });
    expect(changes).toEqual([]);
    expect(await version()).toBe(was);
  });

  it('refuses to record a change made outside a transaction', async () => {
    await expect(applyStockChanges(db as never, [{ productId, locationId: bulk, onHandDelta: 1, reservedDelta: 0 }], new Date())).rejects.toThrow(
      /inside an interactive transaction/,
    );
  });
});
