import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';

/**
 * Preloaded into each service process by the benchmark
 * (`node -r dist/bench/query-counter.js dist/src/main.js`) when
 * BENCH_QUERY_STATS names a file: counts every statement sent through `pg`
 * (Prisma's adapter and the outbox relay both use pg.Client) by kind, with
 * the time until its result came back, and writes the counts and the
 * process's CPU time to that file when the process exits. The wrapper costs
 * a few microseconds per statement.
 */
export interface QueryStatsFile {
  pid: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  statements: Record<string, { count: number; ms: number; sample: string }>;
  /** Each transaction (the first 200,000): when its COMMIT was answered (ms since the epoch) and its wall time from BEGIN sent (ms). */
  transactions: [endedAt: number, ms: number][];
}

/**
 * A statement's kind: verb, first table, FOR UPDATE, and a short hash of its
 * text with parameter and VALUES lists folded (so a 3-row and a 200-row
 * INSERT are one kind, and two different SELECTs on one table are two).
 */
export function statementKind(text: string | undefined): { kind: string; sample: string } {
  const t = (text ?? '').trim().replace(/\s+/g, ' ');
  const sample = t
    .replace(/"public"\./g, '')
    .replace(/\$\d+/g, '$n')
    .replace(/\bIN \(\$n(\s*,\s*\$n)*\)/gi, 'IN ($n...)')
    .replace(/\bVALUES\s*\(.*?\)(?=\s*(ON CONFLICT|RETURNING|\)\s*AS\b|$))/i, 'VALUES (...)');
  const verb = (t.match(/^\w+/)?.[0] ?? '?').toUpperCase();
  if (!['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH'].includes(verb)) return { kind: t.slice(0, 60).toUpperCase(), sample: '' };
  const table = t
    .match(/\b(?:FROM|INTO|UPDATE)\s+((?:"?\w+"?\.)?"?\w+"?)/i)?.[1]
    ?.replace(/"/g, '')
    .replace(/^public\./, '');
  const lock = /\bFOR (NO KEY )?UPDATE\b/i.test(t) ? ' FOR UPDATE' : '';
  const hash = createHash('sha1').update(sample).digest('hex').slice(0, 4);
  return { kind: `${verb} ${table ?? '?'}${lock} #${hash}`, sample: sample.slice(0, 160) };
}

const out = process.env.BENCH_QUERY_STATS;
if (out) {
  const stats = new Map<string, { count: number; ms: number; sample: string }>();
  const kinds = new Map<string, { kind: string; sample: string }>();
  const transactions: [number, number][] = [];
  const begun = new WeakMap<object, number>();
  const record = ({ kind, sample }: { kind: string; sample: string }, started: number, client: object) => {
    if (kind === 'BEGIN') begun.set(client, started);
    else if (kind === 'COMMIT' && begun.has(client) && transactions.length < 200_000) transactions.push([Date.now(), performance.now() - begun.get(client)!]);
    const s = stats.get(kind) ?? { count: 0, ms: 0, sample };
    s.count++;
    s.ms += performance.now() - started;
    stats.set(kind, s);
  };
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function countedQuery(this: object, ...args: unknown[]): unknown {
    const first = args[0] as string | { text?: string } | undefined;
    const text = (typeof first === 'string' ? first : first?.text) ?? '';
    let kind = kinds.get(text);
    if (!kind) {
      kind = statementKind(text);
      if (kinds.size < 5_000) kinds.set(text, kind);
    }
    const started = performance.now();
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...cbArgs: unknown[]) => {
        record(kind, started, this);
        return (callback as (...a: unknown[]) => unknown)(...cbArgs);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => record(kind, started, this),
        () => record(kind, started, this),
      );
    }
    return result;
  };
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const file: QueryStatsFile = {
      pid: process.pid,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      statements: Object.fromEntries(stats),
      transactions,
    };
    writeFileSync(out, JSON.stringify(file));
  });
}
