import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the V8 CPU profiles (`node --cpu-prof`) the service processes wrote
 * on exit and sums self time by who spent it (Prisma, pg, kafkajs, zod,
 * pino, the service's own code, Node internals, GC): where a service
 * process's CPU goes per event.
 */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  who: string;
  msPerEvent: number;
  percent: number;
}

const PACKAGES = ['@prisma/client', '@prisma/adapter-pg', '@prisma/driver-adapter-utils', 'pg-protocol', 'pg', 'kafkajs', 'zod', 'pino', 'uuid', 'prom-client'];

function who(functionName: string, url: string): string {
  if (!url)
    return functionName === '(garbage collector)' ? 'GC' : functionName === '(idle)' ? 'idle' : functionName === '(program)' ? 'V8/native (program)' : 'native';
  if (url.startsWith('wasm://')) return '@prisma/client (wasm)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
  if (pkg) return PACKAGES.includes(pkg) ? pkg : `${pkg.startsWith('@prisma/') ? '@prisma/other' : 'other packages'}`;
  if (url.startsWith('node:')) return 'node internals';
  if (/\/src\/generated\//.test(url)) return '@prisma/client (generated)';
  return 'service code';
}

export function summarizeProfiles(dir: string, events: number): ProfileShare[] | null {
  if (!existsSync(dir)) return null;
  const totals = new Map<string, number>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return null;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    // A built-in without a script (JSON.parse, a RegExp, a Buffer copy) counts for whoever called it.
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    // Node's own code (socket writes, timers, promise ticks) is named with the package that called it.
    const attribute = (id: number): string => {
      let internal = false;
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const w = who(nodes.get(at)!.callFrame.functionName, nodes.get(at)!.callFrame.url);
        if (w === 'node internals') internal = true;
        else if (w !== 'native' && !(internal && w === 'V8/native (program)')) return internal ? `node internals, called by ${w}` : w;
      }
      return internal ? 'node internals (event loop, promise ticks)' : 'native';
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, attribute(n.id)]));
    profile.samples.forEach((id, i) => {
      const key = byId.get(id) ?? 'native';
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  totals.delete('idle');
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals].map(([w, ms]) => ({ who: w, msPerEvent: ms / events, percent: (100 * ms) / busy })).sort((a, b) => b.msPerEvent - a.msPerEvent);
}
