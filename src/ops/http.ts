import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { ReadinessReport } from './health';

export interface OpsTarget {
  readiness(): Promise<ReadinessReport>;
  metrics: { contentType: string; text(): Promise<string> };
}

export interface OpsHttpOptions {
  host: string;
  /** 0 picks a free port (tests); read it back from OpsHttpServer.port. */
  port: number;
  logger: Logger;
  target: OpsTarget;
}

export interface OpsHttpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /healthz, /readyz and /metrics on node:http (three routes do not need a
 * framework). /healthz only says the process answers: a liveness probe that
 * failed on a database outage would restart pods that are fine.
 */
export async function startOpsHttp(options: OpsHttpOptions): Promise<OpsHttpServer> {
  const { logger, target } = options;
  const server = createServer((req, res) => {
    handle(req, res, target).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ status: 'error' }));
      else res.destroy();
    });
  });
  // Probes are short requests: do not let an idle keep-alive socket delay shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, 'ops http listening');
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, target: OpsTarget): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain', 'method not allowed\n');
  }
  switch (path) {
    case '/healthz':
      return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
    case '/readyz': {
      const report = await target.readiness();
      const body = { status: report.ready ? 'ready' : 'not ready', down: report.down, checks: report.checks };
      return send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify(body));
    }
    case '/metrics':
      return send(res, 200, target.metrics.contentType, await target.metrics.text());
    default:
      return send(res, 404, 'text/plain', 'not found\n');
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
