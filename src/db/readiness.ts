import { Client } from 'pg';

/**
 * The readiness probe's statement: SELECT 1 on a connection of its own,
 * bounded by timeoutMs (connect, query and server side). Not through the
 * service's pool: a pool busy with long transactions is not a database
 * outage, and a probe queued behind them would time out for the wrong reason.
 * Throws the driver's error when the database cannot be reached or does not
 * answer in time; the connection is closed either way.
 */
export async function pingDatabase(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'inventory-readiness',
  });
  client.on('error', () => undefined); // reported by connect()/query() below
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
