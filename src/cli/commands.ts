import type { CliCommand } from './command';
import { migrateCommand } from './migrate';
import { importCommand } from './import';
import { replenishCommand } from './replenish';
import { replayCommand } from './replay';
import { reconcileCommand } from './reconcile';
import { demoCommand } from './demo';
import { pruneCommand } from './prune';

import { deadLettersCommand } from './dead-letters';
import { redriveCommand } from './redrive';

/** Every command of `npm run cli`; one file each in this folder. */
export const commands: readonly CliCommand[] = [
  migrateCommand,
  importCommand,
  replenishCommand,
  replayCommand,
  reconcileCommand,
  pruneCommand,
  deadLettersCommand,
  redriveCommand,
  demoCommand,
];
