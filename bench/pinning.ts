import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * `--service-cpus A --others-cpus B`: the service processes run on CPUs A
 * (spawned under `taskset -c A`), and the bench's PostgreSQL, the Kafka broker
 * and the bench itself on CPUs B, so the figures show what the service costs
 * apart from what the database and the broker cost. Affinity is set with
 * `taskset -a -p` on every thread of those processes (new backends inherit it
 * from the postmaster) and given back as it was at the end, also on Ctrl-C:
 * the machine is shared.
 */
export interface Pinning {
  serviceCpus: string;
  othersCpus: string;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // gone meanwhile
  }
}

/** The bench cluster's postmaster (first line of its data directory's postmaster.pid). */
export function postmasterPid(dataDirectory: string): number {
  try {
    return Number(readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch (error) {
    throw new Error(`--others-cpus: cannot read ${dataDirectory}/postmaster.pid (${(error as Error).message})`);
  }
}

/** The postmaster and its children, the broker (its pid file), the bench. */
function othersPids(postmaster: number, brokerPidFile: string): number[] {
  const children = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => parentOf(pid) === postmaster);
  let broker: number;
  try {
    broker = Number(readFileSync(brokerPidFile, 'utf8').trim());
  } catch {
    throw new Error(`--others-cpus: no broker pid in ${brokerPidFile}`);
  }
  return [postmaster, ...children, broker, process.pid];
}

function taskset(args: string[]): string {
  const r = spawnSync('taskset', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`taskset is needed for --service-cpus / --others-cpus: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`taskset ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** "pid 123's current affinity list: 0,1" */
function affinityOf(pid: number): string {
  return taskset(['-p', '-c', String(pid)])
    .trim()
    .split(': ')
    .at(-1)!;
}

/**
 * Pins the database (its postmaster and children), the broker and the bench
 * to `othersCpus`; returns what gives each process its CPUs back (backends
 * started meanwhile get the postmaster's).
 */
export function pinOthers(pinning: Pinning, postmaster: number, brokerPidFile: string): () => void {
  const pids = othersPids(postmaster, brokerPidFile);
  const before = new Map(pids.map((pid) => [pid, affinityOf(pid)]));
  for (const pid of pids) taskset(['-a', '-p', '-c', pinning.othersCpus, String(pid)]);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    const postmasterCpus = before.get(pids[0]!)!;
    for (const pid of othersPids(postmaster, brokerPidFile)) {
      try {
        taskset(['-a', '-p', '-c', before.get(pid) ?? postmasterCpus, String(pid)]);
      } catch {
        // a backend that ended meanwhile
      }
    }
  };
  process.once('SIGINT', () => {
    restore();
    process.exit(130);
  });
  return restore;
}

/** The command that spawns a service process on `serviceCpus` (taskset execs it: the pid stays the service's). */
export function pinnedCommand(pinning: Pinning | undefined, command: string, args: readonly string[]): [string, string[]] {
  return pinning ? ['taskset', ['-c', pinning.serviceCpus, command, ...args]] : [command, [...args]];
}
