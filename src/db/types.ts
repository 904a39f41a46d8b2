import type { Prisma } from '../generated/prisma/client';

/** The client inside one Prisma interactive transaction: every write of an event goes through it. */
export type Tx = Prisma.TransactionClient;
