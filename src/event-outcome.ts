/**
 * What became of one inbound message, the one outcome type from parsing to the
 * runner and the metrics (src/ops counts these, so the type lives below both).
 * A refusal, a contract violation and a parked event are all DEAD_LETTERED,
 * told apart by their code (PARKED for a parked one).
 */
export type EventOutcome =
  | { status: 'APPLIED'; eventType: string; outcome: string }
  | { status: 'DUPLICATE'; eventType: string }
  | { status: 'DEAD_LETTERED'; eventType: string | null; code: string; reason: string };
