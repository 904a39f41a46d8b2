import type { CliCommand } from './command';
import { migrateCommand } from './migrate';
import { importCommand } from './import';

/** Every command of `npm run cli`; one file each in this folder. */
export const commands: readonly CliCommand[] = [migrateCommand, importCommand];
