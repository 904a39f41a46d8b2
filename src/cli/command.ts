import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { UsageError } from '../errors';

/** One operations command: `npm run cli -- <name> [options]`. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Usage lines shown by `<name> --help`. */
  usage: string;
  /** Whether the command needs the full configuration (DATABASE_URL, Kafka). */
  needsConfig: boolean;
  run(args: string[], env: CliEnv): Promise<number>;
}

export interface CliEnv {
  config: Config | null;
  logger: Logger;
  /** Where results go (tables, JSON); logs go to stderr. */
  out: (line: string) => void;
}

/** A command's --options, parsed strictly: an unknown option or a missing value is a UsageError. */
export function parseOptions<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The one line a failed command prints: never empty. Prisma's client errors
 * begin with a newline and the call site ("Invalid `tx.x()` invocation in ...")
 * and end with the cause, so for those the last line is the one that says
 * what went wrong (and the error code, when there is one).
 */
export function failureLine(error: unknown): string {
  const message =
    typeof error === 'string'
      ? error
      : error instanceof Error || (typeof error === 'object' && error !== null)
        ? String((error as { message?: unknown }).message ?? '')
        : '';
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
  const isPrisma = typeof error === 'object' && error !== null && 'clientVersion' in error;
  const line = (isPrisma ? lines.at(-1) : lines[0]) ?? '';
  if (line) return isPrisma && code ? `${line} (${code})` : line;
  const name = error instanceof Error ? error.name : typeof error;
  return `unexpected ${name}${code ? ` (code ${code})` : ''} without a message; run with DEBUG=1 for the stack`;
}
