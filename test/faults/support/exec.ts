import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

/** The repository root (test/faults/support -> ../../..). */
export const ROOT = join(__dirname, '..', '..', '..');

export interface RunOptions {
  /** Killed (SIGKILL) after this long; the promise then rejects. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Run as this OS user through runuser (root only), e.g. postgres for initdb/pg_ctl. */
  asUser?: string;
  cwd?: string;
}

/** Runs a command to completion, bounded by a timeout; rejects with its output on failure. */
export function runCommand(command: string, args: string[], options: RunOptions): Promise<{ stdout: string; stderr: string }> {
  const [cmd, argv] = options.asUser && process.getuid?.() === 0 ? ['runuser', ['-u', options.asUser, '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      argv,
      { timeout: options.timeoutMs, killSignal: 'SIGKILL', env: options.env ?? process.env, cwd: options.cwd ?? ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${cmd} ${argv.join(' ')} failed (${error.killed ? `killed after ${options.timeoutMs} ms` : `exit ${String(error.code)}`}):\n${stdout}\n${stderr}`,
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

export { sleep };

/** Polls until the condition holds; throws with `what` after timeoutMs. Errors thrown by the condition count as "not yet". */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}
