import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { seededRandom } from './stats';

/** The bench's token for the query API of the service processes (read scope is all GET /v1/availability needs). */
export const BENCH_API_TOKEN = 'bench-read-token-0123456789';

export interface ReadPhaseResult {
  rate: number;
  seconds: number;
  requests: number;
  /** Answered requests per second. */
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * GET /v1/availability for a random SKU (one per request, seeded) at a fixed
 * overall rate, from autocannon in this (the bench's) process over loopback:
 * the load generator is a library (latency histograms, pacing, connection
 * reuse), not a hand-written loop.
 */
export async function measureReads(opts: {
  url: string;
  skus: readonly string[];
  rate: number;
  seconds: number;
  seed: number;
  connections?: number;
}): Promise<ReadPhaseResult> {
  const random = seededRandom(opts.seed);
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections ?? 16,
    overallRate: opts.rate,
    duration: opts.seconds,
    headers: { authorization: `Bearer ${BENCH_API_TOKEN}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/v1/availability?sku=${encodeURIComponent(opts.skus[Math.floor(random() * opts.skus.length)]!)}` }),
      },
    ],
  });
  return {
    rate: opts.rate,
    seconds: opts.seconds,
    requests: result.requests.total,
    throughput: result.requests.total / opts.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** A port that was free a moment ago, for a service process's query API (API_PORT=0 would need its log to find). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function formatReads(label: string, r: ReadPhaseResult): string {
  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  return `    ${label}: ${r.throughput.toFixed(0)} requests/s of ${r.rate} asked (${r.requests} in ${r.seconds} s), p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms; non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;
}
