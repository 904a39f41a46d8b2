/** What a redrive request came to. */
export type RedriveResult =
  | { status: 'REDRIVEN'; id: bigint; redrivenAt: Date }
  | { status: 'NOT_FOUND'; id: bigint }
  | { status: 'ALREADY_REDRIVEN'; id: bigint; redrivenAt: Date }
  | { status: 'NOT_REDRIVABLE'; id: bigint; reason: string };

/** Republishes a dead letter to its original topic, at most once (POST /v1/dead-letters/{id}/redrive, CLI `redrive`). */
export interface DeadLetterRedriver {
  redrive(id: bigint): Promise<RedriveResult>;
}
