import { readFileSync } from 'node:fs';

/** CPU use of the whole machine (/proc/stat) and of the Kafka broker (scripts/kafka-start.sh's pid file). */
export interface CpuSnapshot {
  at: number;
  busy: number;
  total: number;
  broker: number | null;
}

export const BROKER_PID_FILE = `/tmp/inventory-kafka-${process.env.KAFKA_PORT ?? '9092'}/broker.pid`;

/** /proc/stat jiffies of the whole machine and /proc/<pid>/stat of the broker (scripts/kafka-start.sh's pid file). */
export function cpuSnapshot(): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  let broker: number | null = null;
  try {
    const pid = readFileSync(BROKER_PID_FILE, 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    broker = Number(after[11]) + Number(after[12]); // utime + stime (fields 14, 15)
  } catch {
    broker = null;
  }
  return { at: Date.now(), busy: total - idle, total, broker };
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, events: number): { machineBusyPercent: number; brokerMsPerEvent: number | null } {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  return {
    machineBusyPercent: b.total > a.total ? (100 * (b.busy - a.busy)) / (b.total - a.total) : Number.NaN,
    brokerMsPerEvent: a.broker !== null && b.broker !== null ? (b.broker - a.broker) / ticksPerMs / events : null,
  };
}
