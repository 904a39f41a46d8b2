/**
 * What became of one inbound message, from the consumer pipeline up to the
 * runner and the metrics (src/ops counts these, so the type lives below both).
 */
export type ProcessResult =
  | { status: 'APPLIED'; eventType: string; outcome: string }
  | { status: 'DUPLICATE'; eventType: string }
  | { status: 'DEAD_LETTERED'; eventType: string | null; code: string };
