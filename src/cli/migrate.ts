import { migrate } from '../db/migrate';
import type { CliCommand } from './command';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply prisma/migrations to DATABASE_URL (same bookkeeping as `prisma migrate deploy`)',
  usage: 'migrate',
  needsConfig: true,
  async run(_args, { config, out }) {
    const result = await migrate(config!.DATABASE_URL);
    out(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'database is up to date');
    return 0;
  },
};
