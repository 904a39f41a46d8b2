import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

// The pool behind each client, for the pool-use gauges of /metrics. A WeakMap
// keeps createDb's signature and type (Db stays a plain PrismaClient).
const pools = new WeakMap<Db, Pool>();

/**
 * Prisma on a node-postgres pool (no engine binary: Prisma 7's client is
 * TypeScript/WASM). We build the pool ourselves, rather than letting PrismaPg
 * build it from a config, so that its counters can be read (poolOf); the
 * adapter ends it on $disconnect (disposeExternalPool).
 */
export function createDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection dropped by the server must not crash the process: the
  // next query that needs a connection reports the problem instead.
  pool.on('error', () => undefined);
  // The cast only bridges two copies of @types/pg (the adapter pins its own);
  // at run time both are the one deduplicated pg, which the adapter's instanceof needs.
  const db = new PrismaClient({ adapter: new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The node-postgres pool of a client made by createDb. */
export function poolOf(db: Db): Pool | undefined {
  return pools.get(db);
}
