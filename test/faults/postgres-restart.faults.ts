import { PgCluster } from './support/postgres';
import { removeBuild } from './support/service-process';
import { FAULT_ORDERS, runScenario, scenarioTimeoutMs } from './support/scenario';

/**
 * PostgreSQL restarted under the running service: `pg_ctl restart -m fast`
 * (every session terminated, 57P01), then `stop -m immediate` (a crash: no
 * checkpoint, crash recovery on start) with 5 s of outage. It is the suite's
 * own cluster on port 55432 (initdb in /tmp/inventory-pg-55432), migrated with
 * src/db/migrate.ts: the machine's PostgreSQL on 5432 is never restarted.
 */
describe(`fault injection: PostgreSQL restart during ${FAULT_ORDERS} OrderPlaced`, () => {
  const cluster = new PgCluster();
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    await cluster.start();
    database = await cluster.createDatabase();
  }, 300_000);

  afterAll(async () => {
    await database?.drop().catch(() => undefined);
    await cluster.stop();
    removeBuild();
  }, 120_000);

  it(
    'every order has exactly one outcome, nothing is dead-lettered, the books balance',
    async () => {
      const result = await runScenario({
        name: 'postgres-restart',
        brokers: process.env.KAFKA_BROKERS!,
        databaseUrl: database.url,
        faults: [
          { name: 'pg_ctl restart -m fast', atFraction: 0.3, inject: async () => void (await cluster.restart('fast')) },
          { name: 'pg_ctl stop -m immediate, 5 s down, start', atFraction: 0.6, inject: async () => void (await cluster.restart('immediate', 5000)) },
        ],
      });
      expect(result.faults).toHaveLength(2);
      expect(result.serviceRuns).toHaveLength(1);
      expect(result.serviceRuns[0]!.exit).toEqual({ code: 0, signal: null });
      expect(result.violations).toEqual({});
    },
    scenarioTimeoutMs(),
  );
});
