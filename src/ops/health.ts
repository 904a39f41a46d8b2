import type { Consumer } from 'kafkajs';
import { pingDatabase } from '../db/readiness';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export type CheckName = 'database' | 'broker' | 'consumer';

export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that failed (empty when ready). */
  down: CheckName[];
  checks: Record<CheckName, CheckResult>;
}

/**
 * The consumer's state as told by kafkajs instrumentation events, since kafkajs
 * has no "am I in my group?" query. GROUP_JOIN means joined; CRASH, STOP and
 * DISCONNECT mean not (kafkajs restarts after a retriable crash and joins again,
 * which emits GROUP_JOIN). Every answered request (REQUEST; heartbeats come
 * every 3 s, fetches at most every maxWaitTime) proves the broker is reachable.
 */
export class ConsumerHealth {
  private connected = false;
  private joined = false;
  private lastAnswerAt = 0;
  private lastProblem: string | undefined;
  private removers: (() => void)[] = [];

  constructor(
    private readonly brokerStaleMs = 30_000,
    private readonly onJoin?: () => void,
  ) {}

  /** Called with each new kafkajs consumer, before it connects (GROUP_JOIN fires inside consumer.run). */
  watch(consumer: Consumer): void {
    for (const remove of this.removers.splice(0)) remove();
    const { events } = consumer;
    this.connected = false;
    this.joined = false;
    this.removers = [
      consumer.on(events.CONNECT, () => {
        this.connected = true;
        this.lastAnswerAt = Date.now();
      }),
      consumer.on(events.REQUEST, () => {
        this.lastAnswerAt = Date.now();
      }),
      consumer.on(events.GROUP_JOIN, () => {
        this.joined = true;
        this.lastProblem = undefined;
        this.onJoin?.();
      }),
      consumer.on(events.CRASH, (e) => {
        this.joined = false;
        // The error itself is logged by the runner and kafkajs; the unauthenticated answer names the state only.
        this.lastProblem = `consumer crashed${e.payload.restart ? ' (restarting)' : ''}`;
      }),
      consumer.on(events.STOP, () => {
        this.joined = false;
        this.lastProblem = 'consumer stopped';
      }),
      consumer.on(events.DISCONNECT, () => {
        this.connected = false;
        this.joined = false;
        this.lastProblem = 'consumer disconnected';
      }),
    ];
  }

  broker(now = Date.now()): CheckResult {
    if (!this.connected) return { ok: false, detail: 'not connected' };
    const silentMs = now - this.lastAnswerAt;
    if (silentMs > this.brokerStaleMs) return { ok: false, detail: `no broker response for ${Math.round(silentMs / 1000)}s` };
    return { ok: true };
  }

  consumer(): CheckResult {
    return this.joined ? { ok: true } : { ok: false, detail: this.lastProblem ?? 'not joined to its group yet' };
  }
}

/**
 * A check answered from its last result for maxAgeMs, with at most one run in
 * flight: /readyz is unauthenticated, and before this each request opened its
 * own database connection (40 concurrent requests, 40 sessions). Written here:
 * the few lines of single-flight plus an age do not warrant a memoizing library.
 */
export class CachedCheck {
  private last: { at: number; result: CheckResult } | null = null;
  private inFlight: Promise<CheckResult> | null = null;

  constructor(
    private readonly run: () => Promise<CheckResult>,
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(): Promise<CheckResult> {
    if (this.last && this.now() - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.result);
    this.inFlight ??= this.run()
      .catch((): CheckResult => ({ ok: false, detail: 'check failed' }))
      .then((result) => {
        this.last = { at: this.now(), result };
        return result;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}

/**
 * The database check of /readyz: pingDatabase (src/db/readiness.ts), SELECT 1
 * on a connection of its own, bounded by timeoutMs. The driver's error goes to
 * onFailure (the log) only: it names hosts, ports, users and databases, and
 * the answer of /readyz is for anyone who can reach it.
 */
export async function checkDatabase(databaseUrl: string, timeoutMs = 2000, onFailure?: (error: unknown) => void): Promise<CheckResult> {
  const started = Date.now();
  try {
    await pingDatabase(databaseUrl, timeoutMs);
    return { ok: true };
  } catch (error) {
    onFailure?.(error);
    return {
      ok: false,
      detail: Date.now() - started >= timeoutMs ? `no answer within ${timeoutMs} ms` : 'cannot connect or query (the reason is in the service log)',
    };
  }
}

export function readinessReport(checks: Record<CheckName, CheckResult>): ReadinessReport {
  const down = (Object.keys(checks) as CheckName[]).filter((name) => !checks[name].ok);
  return { ready: down.length === 0, down, checks };
}
