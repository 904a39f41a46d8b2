import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { createDb, type Db } from '../../src/db/client';
import { importMasterData } from '../../src/master-data/import';
import { failureLine } from '../../src/cli/command';
import { smallCatalog } from '../fixtures/catalog';

/**
 * The largest numbers the import file accepts fit the real columns, and a
 * database error that does reach a command still prints a line that says
 * something. Before, maxWeightKg 1,000,000,000 passed the file check, the
 * database refused it (numeric(12,3)), and the CLI printed "error: ".
 */
describe('master-data import against the real columns', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    url = database.url;
    db = createDb(database.url, 2);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await drop?.();
  });

  it('every numeric field at the largest value the file allows is stored as given', async () => {
    const file = smallCatalog(
      [{ sku: 'BIG', location: 'A-01-1-01', quantity: 1_000_000 }],
      [
        {
          sku: 'BIG',
          unitCost: '9999999999.99',
          unitWeightGrams: 1_000_000_000,
          dimensions: { length: 1_000_000_000, width: 1_000_000_000, height: 1_000_000_000 },
          reorderPoint: 1_000_000_000,
          reorderQuantity: 1_000_000_000,
          leadTimeDays: 3650,
        },
      ],
    );
    const warehouse = file.warehouses![0]!;
    warehouse.capacityCubicMeters = 999_999_999.999;
    warehouse.locations![0] = { ...warehouse.locations![0]!, maxWeightKg: 999_999_999.999, maxVolumeCubicCm: 2_000_000_000 };
    await importMasterData(db, file);

    const location = await db.location.findFirstOrThrow({ where: { warehouse: { code: 'WH1' }, aisle: 'A', bay: '01', level: '1', bin: '01' } });
    expect(location.maxWeightKg.toString()).toBe('999999999.999');
    expect(location.maxVolumeCubicCm).toBe(2_000_000_000);
    expect((await db.warehouse.findUniqueOrThrow({ where: { code: 'WH1' } })).capacityCubicMeters?.toString()).toBe('999999999.999');
    const product = await db.product.findUniqueOrThrow({ where: { sku: 'BIG' } });
    expect(product.unitCost.toString()).toBe('9999999999.99');
    expect(product.unitWeightGrams).toBe(1_000_000_000);
  });

  it('a maxWeightKg the column cannot hold is refused by the file check, with its path, and nothing is written', async () => {
    const file = smallCatalog([]);
    file.warehouses![0]!.code = 'WH9';
    file.warehouses![0]!.locations![0]!.maxWeightKg = 1_000_000_000;
    await expect(importMasterData(db, file)).rejects.toThrow(/^import refused: warehouses\.0\.locations\.0\.maxWeightKg: must be at most 999999999\.999/);
    expect(await db.warehouse.count({ where: { code: 'WH9' } })).toBe(0);
  });

  it('a Prisma error from the real database prints as one line naming the cause', async () => {
    const error = await db.location.updateMany({ where: { aisle: 'A' }, data: { maxWeightKg: 1_000_000_000 } }).catch((e: unknown) => e);
    expect((error as Error).message.split('\n')[0]).toBe(''); // what the CLI used to print after "error: "
    const line = failureLine(error);
    expect(line).toMatch(/numeric field overflow/);
    expect(line).not.toContain('\n');
  });

  it('the compiled CLI refuses such a file with exit 2 and one line that says why', () => {
    const root = join(__dirname, '..', '..');
    const dist = join(root, '.cache', 'import-test-dist');
    const buildStart = Date.now();
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: root, encoding: 'utf8' });
    const cli = join(dist, 'src', 'cli.js');
    if (!existsSync(cli) || statSync(cli).mtimeMs < buildStart - 1000) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
    const file = smallCatalog([]);
    file.warehouses![0]!.locations![0]!.maxWeightKg = 1_000_000_000;
    const path = join(mkdtempSync(join(tmpdir(), 'import-')), 'catalog.json');
    writeFileSync(path, JSON.stringify(file));
    const run = spawnSync(process.execPath, [cli, 'import', path], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^error: import refused: warehouses\.0\.locations\.0\.maxWeightKg: must be at most 999999999\.999 \(the column is numeric\(12,3\)\)\n$/,
    );
  }, 180_000);
});
