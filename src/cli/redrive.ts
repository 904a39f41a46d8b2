import { parseArgs } from 'node:util';
import { createDb } from '../db/client';
import { createKafka } from '../kafka';
import { kafkaRedriver } from '../dead-letters/redrive';
import { type CliCommand } from './command';
import { InventoryError, UsageError } from '../errors';

/** A refusal the operator must see: one line on stderr, exit 1. */
class RedriveRefused extends InventoryError {
  constructor(message: string) {
    super('REDRIVE_REFUSED', message, false);
  }
}

/**
 * `redrive <id>`: what POST /v1/dead-letters/{id}/redrive does. Prints one
 * line; exits 1 on an unknown id, a second redrive or a dead letter kept
 * without its message, 2 for a malformed call.
 */
export const redriveCommand: CliCommand = {
  name: 'redrive',
  summary: 'publish a dead letter again to its original topic, to be judged once more (at most once per dead letter)',
  usage: 'redrive <id>\n  <id>  a dead letter id, as `dead-letters` lists them',
  needsConfig: true,
  async run(args, { config, logger, out }) {
    let positionals: string[];
    try {
      positionals = parseArgs({ args, options: {}, strict: true, allowPositionals: true }).positionals;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (positionals.length !== 1 || !/^[1-9]\d{0,17}$/.test(positionals[0]!))
      throw new UsageError('redrive takes one dead letter id (a positive whole number)');
    const id = BigInt(positionals[0]!);
    const db = createDb(config!.DATABASE_URL, 1);
    const producer = createKafka(config!, logger, '-cli').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    try {
      await producer.connect();
      const result = await kafkaRedriver({ db, producer }).redrive(id);
      switch (result.status) {
        case 'REDRIVEN':
          out(`redriven dead letter ${id} to ${result.topic} at ${result.redrivenAt.toISOString()}`);
          return 0;
        case 'NOT_FOUND':
          throw new RedriveRefused(`no dead letter ${id}`);
        case 'ALREADY_REDRIVEN':
          throw new RedriveRefused(`dead letter ${id} was already redriven at ${result.redrivenAt.toISOString()}`);
        case 'NOT_REDRIVABLE':
          throw new RedriveRefused(`dead letter ${id} cannot be redriven: ${result.reason}`);
      }
    } finally {
      await producer.disconnect().catch(() => undefined);
      await db.$disconnect();
    }
  },
};
