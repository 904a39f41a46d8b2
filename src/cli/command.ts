import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Logger } from '../logger';

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

/** A mistake in how the command was called: printed as one line, exit status 2. */
export class UsageError extends Error {}

/** A command's --options, parsed strictly: an unknown option or a missing value is a UsageError. */
export function parseOptions<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
