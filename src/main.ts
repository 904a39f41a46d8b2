import { loadConfig } from './config';
import { createLogger, redactUrl } from './logger';
import { InventoryService } from './service';
import { startOpsHttp, type OpsHttpServer } from './ops/http';
import { failureLine } from './cli/command';
import { startQueryApi } from './api/from-config';
import type { RunningApiServer } from './api/server';
import { ConfigError } from './errors';

/**
 * `npm start`: consumers, outbox relay, ops HTTP endpoints and the query API. Refuses to start on
 * bad configuration (one line, exit 2). SIGTERM/SIGINT: stop fetching, finish
 * in-flight events, commit offsets, flush the outbox, disconnect, within
 * SHUTDOWN_TIMEOUT_MS; a second signal exits at once.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = new InventoryService({ config, logger, defaultMetrics: true });
  // Up before the service starts (liveness answers during a slow start) and closed last.
  let http: OpsHttpServer | null = null;
  let api: RunningApiServer | null = null;

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    // The query API first (no new requests; in-flight ones finish), then the consumers, the ops endpoints last.
    Promise.resolve(api?.close())
      .then(() => service.stop())
      .then(() => http?.close())
      .then(
        () => {
          clearTimeout(timer);
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  logger.info({ database: redactUrl(config.DATABASE_URL), brokers: config.KAFKA_BROKERS }, 'starting');
  const target = { readiness: () => service.readiness(), metrics: service.ops.metrics };
  http = await startOpsHttp({ host: config.HTTP_HOST, port: config.HTTP_PORT, logger: logger.child({ component: 'http' }), target });
  await service.start();
  // After the service: a redrive needs its producer connected.
  api = await startQueryApi(config, { logger, redriver: service.redriver });
}

main().catch((error: unknown) => {
  process.stderr.write(`inventory service failed to start: ${failureLine(error)}\n`);
  process.exit(1);
});
