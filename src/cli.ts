import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './logger';
import { ImportError } from './master-data/import';
import { failureLine, UsageError, type CliCommand } from './cli/command';
import { commands } from './cli/commands';

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
  return ['usage: npm run cli -- <command> [options]   (<command> --help for its options)', '', ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), ''].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = error instanceof UsageError || error instanceof ConfigError || error instanceof ImportError;
    process.stderr.write(`error: ${failureLine(error)}\n`);
    if (!expected && process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(expected ? 2 : 1);
  },
);
