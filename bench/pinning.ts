import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * `--service-cpus A --others-cpus B`: the service processes run on CPUs A
 * (spawned under `taskset -c A`), and PostgreSQL, the Kafka broker and the
 * bench itself on CPUs B, so the figures show what the service costs apart
 * from what the database and the broker cost. Affinity is set with
 * `taskset -a -p` on every thread of those processes (PostgreSQL's new
 * backends inherit it from the postmaster) and given back to all CPUs at the
 * end: the machine is shared.
 */
export interface Pinning {
  serviceCpus: string;
  othersCpus: string;
}

/** Pids of PostgreSQL (every postgres process: new backends fork from the postmaster) and of the broker (its pid file). */
function othersPids(brokerPidFile: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  try {
    pids.push(Number(readFileSync(brokerPidFile, 'utf8').trim()));
  } catch {
    throw new Error(`--others-cpus: no broker pid in ${brokerPidFile}`);
  }
  return [...pids, process.pid];
}

function setAffinity(cpuList: string, pids: readonly number[]): void {
  for (const pid of pids) {
    const r = spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { encoding: 'utf8' });
    if (r.error) throw new Error(`taskset is needed for --service-cpus / --others-cpus: ${r.error.message}`);
    if (r.status !== 0 && readdirSync('/proc').includes(String(pid))) throw new Error(`taskset -a -p -c ${cpuList} ${pid} failed: ${r.stderr.trim()}`);
  }
}

/** Pins the database, the broker and the bench to `othersCpus`; returns what gives every CPU back to them. */
export function pinOthers(pinning: Pinning, brokerPidFile: string): () => void {
  const pids = othersPids(brokerPidFile);
  setAffinity(pinning.othersCpus, pids);
  return () => setAffinity(`0-${cpus().length - 1}`, othersPids(brokerPidFile));
}

/** The command that spawns a service process on `serviceCpus` (taskset execs it: the pid stays the service's). */
export function pinnedCommand(pinning: Pinning | undefined, command: string, args: readonly string[]): [string, string[]] {
  return pinning ? ['taskset', ['-c', pinning.serviceCpus, command, ...args]] : [command, [...args]];
}
