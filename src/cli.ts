import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { failureLine, type CliCommand } from './cli/command';
import { commands } from './cli/commands';
import { InventoryError, UsageError } from './errors';

/**
 * The operations CLI. Results go to stdout; a failure is one line on stderr and
 * a non-zero exit: 2 for a wrong call or bad input, 1 for anything else.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" (try --help)`);
  if (parseArgs({ args: rest, strict: false }).values.help) {
    process.stdout.write(`usage: npm run cli -- ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  const config = command.needsConfig ? loadConfig() : null;
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  return command.run(rest, { config, logger, out: (line) => process.stdout.write(`${line}\n`) });
}

function helpText(list: readonly CliCommand[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'usage: npm run cli -- <command> [options]   (<command> --help for its options)',
    '',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The error tree says what a failure means: a mistake of the caller (usage, configuration, input) exits 2, a refusal 1, anything else (a bug, a fault) 1 with its stack under DEBUG=1.
    const known = error instanceof InventoryError;
    process.stderr.write(`error: ${failureLine(error)}\n`);
    if (!known && process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(known ? error.exitCode : 1);
  },
);
