import { readFileSync } from 'node:fs';
import { createDb } from '../db/client';
import { importMasterData } from '../master-data/import';
import { type CliCommand } from './command';
import { UsageError } from '../errors';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import master data and opening stock from a JSON file (all or nothing, idempotent)',
  usage: 'import <file.json>',
  needsConfig: true,
  async run(args, { config, out }) {
    const [file] = args;
    if (!file) throw new UsageError('import needs a file: import <file.json>');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const db = createDb(config!.DATABASE_URL, 2);
    try {
      const summary = await importMasterData(db, json);
      out(JSON.stringify(summary));
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};
