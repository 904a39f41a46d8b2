import type { Kafka } from 'kafkajs';
import { createDb } from '../../../src/db/client';
import { stockDrift } from '../../support/assertions';
import { expiryEventIds } from '../../../src/holds/release-expired';
import { envelopeOfRaw, inputCount, LONG_HOLD_MS, readTopics, topicOf, type OrderSpec, type RawMessage } from './workload';
import { readLogLines } from './service-process';

/**
 * What a fault scenario left behind, measured from the outside: the topics
 * (what other services see) and the database, plus the service's own logs.
 */
export interface ScenarioReport {
  inputs: number;
  /** OrderPlaced messages on the orders topic, and how many of them are extra copies (test producer retries). */
  inputMessages: number;
  inputCopies: number;
  processedRows: number;
  outcomesByType: Record<string, number>;
  /** Inputs with no outcome event on inventory-events. */
  missing: string[];
  /** Inputs with two different outcome eventIds (a second, different decision). */
  conflicting: string[];
  /** Outcome events whose causationId is no input (nor one of the sweeper's, below). */
  strays: number;
  /**
   * The sweeper's events (causationId null, about one of the orders): StockReleased EXPIRED and
   * ReservationExpired of each expired hold, and the BackorderAllocated its released units filled.
   * Messages on the wire and distinct eventIds, and by type.
   */
  sweptMessages: number;
  sweptEvents: number;
  sweptByType: Record<string, number>;
  /** Holds by status in the database (reservation_hold), and what disagrees with the mix and the wire. */
  holdsByStatus: Record<string, number>;
  holdMismatches: string[];
  /** Outcome messages on the wire, distinct outcome eventIds, and the extra copies (relay re-sends after a crash). */
  outcomeMessages: number;
  distinctOutcomes: number;
  outputWireDuplicates: number;
  /** Extra copies by outbound eventId with the same content? (a copy must be byte-identical in payload). */
  duplicateCopiesDiffer: number;
  deadLetters: number;
  /**
   * SKU -> [sum of the accepted orders' quantities, SUM(inventory.quantity_reserved), SUM(reservation open qty), sum of StockReserved lines],
   * the first and last net of the sweeper's events (less what expiries released, plus what their units filled of backorders).
   */
  reservedMismatches: Record<string, [number, number, number, number]>;
  reservedTotal: number;
  /** SKU -> [sum of StockReserved lines' backordered, open backorders in the database] (contract v2). */
  backorderMismatches: Record<string, [number, number]>;
  backorderedTotal: number;
  onHandMismatches: Record<string, [number, number]>;
  /** Outcome in the inbox disagreeing with the event published (RESERVED vs StockReserved ...). */
  inboxOutcomeMismatches: number;
  /** InsufficientStock lines that claim a shortage that was not one (requested <= available). */
  bogusShortages: number;
  drift: unknown[];
  /** From the service logs. */
  log: LogFigures;
}

export interface LogFigures {
  /**
   * Log lines saying an event was applied (status APPLIED or msg 'event applied').
   * A lower bound after a SIGKILL: pino writes stdout asynchronously (sonic-boom,
   * sync: false), so the last lines in its buffer die with the process.
   */
  appliedLines: number;
  /**
   * Inputs logged as applied more than once. Reported, not asserted: the service
   * logs 'event applied' inside the transaction, before COMMIT, so a commit that
   * fails and is retried logs twice without applying twice. The database checks
   * (one outcome, reserved sums, drift) are the real test of "applied once".
   */
  appliedTwice: number;
  /** Log lines reporting an inbound duplicate suppressed by the inbox (status DUPLICATE). */
  duplicateLines: number;
  /** Distinct inputs that were seen again as duplicates. */
  duplicateEvents: number;
  retryWarnings: number;
  nonTransientRetries: number;
  /** First few distinct error messages of retries, for the report. */
  retryErrors: string[];
  deadLetterLines: number;
  relayFailures: number;
}

export function logFigures(files: string[]): LogFigures {
  const applied = new Map<string, number>();
  const duplicates = new Map<string, number>();
  const errors = new Set<string>();
  let retryWarnings = 0;
  let nonTransient = 0;
  let deadLetterLines = 0;
  let relayFailures = 0;
  for (const file of files) {
    for (const line of readLogLines(file)) {
      const eventId = typeof line.eventId === 'string' ? line.eventId : undefined;
      if (eventId && (line.status === 'APPLIED' || line.msg === 'event applied')) applied.set(eventId, (applied.get(eventId) ?? 0) + 1);
      if (eventId && (line.status === 'DUPLICATE' || /duplicate/i.test(String(line.msg ?? '')))) duplicates.set(eventId, (duplicates.get(eventId) ?? 0) + 1);
      if (typeof line.msg === 'string' && line.msg.includes('retrying') && line.component !== 'outbox-relay') {
        retryWarnings++;
        if (line.transient === false) nonTransient++;
        const err = line.err as { message?: string } | undefined;
        const first = err?.message
          ?.split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' ')
          .slice(0, 200);
        if (first && errors.size < 12) errors.add(`${line.transient === false ? '[NOT transient] ' : ''}${first}`);
      }
      if (line.msg === 'message dead-lettered') deadLetterLines++;
      if (line.component === 'outbox-relay' && typeof line.msg === 'string' && line.msg.includes('failed')) relayFailures++;
    }
  }
  return {
    appliedLines: [...applied.values()].reduce((a, b) => a + b, 0),
    appliedTwice: [...applied.values()].filter((n) => n > 1).length,
    duplicateLines: [...duplicates.values()].reduce((a, b) => a + b, 0),
    duplicateEvents: duplicates.size,
    retryWarnings,
    nonTransientRetries: nonTransient,
    retryErrors: [...errors],
    deadLetterLines,
    relayFailures,
  };
}

/** Sum of a counter's samples in Prometheus text whose labels match. */
export function metricSum(text: string | null, name: string, labels: Record<string, string> = {}): number {
  if (!text) return 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

export async function verifyScenario(options: {
  kafka: Kafka;
  prefix: string;
  databaseUrl: string;
  orders: readonly OrderSpec[];
  stock: Record<string, number>;
  logFiles: string[];
}): Promise<ScenarioReport> {
  const { kafka, prefix, orders, stock } = options;
  const [inputWire, outWire, dlqWire] = await Promise.all([
    readTopics(kafka, [topicOf('orders', prefix)]),
    readTopics(kafka, [topicOf('inventory-events', prefix)]),
    readTopics(kafka, [topicOf('inventory-dlq', prefix)]),
  ]);
  const inputIds = new Set(orders.map((o) => o.eventId));
  const orderIds = new Set(orders.map((o) => o.orderId));
  const inputMessages = inputWire.length;
  const inputCopies = inputMessages - new Set(inputWire.map((m) => envelopeOfRaw(m)?.eventId)).size;

  // Outcomes by cause, and copies by outbound eventId.
  const byCause = new Map<string, Map<string, RawMessage[]>>();
  const swept = new Map<string, RawMessage[]>();
  let strays = 0;
  for (const m of outWire) {
    const e = envelopeOfRaw(m);
    if (e && e.causationId === null && orderIds.has(e.payload?.orderId)) {
      swept.set(e.eventId, [...(swept.get(e.eventId) ?? []), m]);
      continue;
    }
    if (!e?.causationId || !inputIds.has(e.causationId)) {
      strays++;
      continue;
    }
    const ids = byCause.get(e.causationId) ?? new Map<string, RawMessage[]>();
    ids.set(e.eventId, [...(ids.get(e.eventId) ?? []), m]);
    byCause.set(e.causationId, ids);
  }
  const missing = orders.filter((o) => !byCause.has(o.eventId)).map((o) => o.eventId);
  const conflicting = [...byCause].filter(([, ids]) => ids.size > 1).map(([cause]) => cause);
  let distinctOutcomes = 0;
  let duplicateCopiesDiffer = 0;
  for (const ids of [...byCause.values(), swept]) {
    if (ids !== swept) distinctOutcomes += ids.size;
    for (const copies of ids.values()) {
      const payloads = new Set(copies.map((c) => JSON.stringify(envelopeOfRaw(c)?.payload)));
      if (payloads.size > 1) duplicateCopiesDiffer++;
    }
  }
  const sweptMessages = [...swept.values()].reduce((n, copies) => n + copies.length, 0);
  const outcomeMessages = outWire.length - strays - sweptMessages;

  // What the sweeper published, one copy per eventId: released and backorder-cancelled units of expiries, units its fills reserved.
  const sweptByType: Record<string, number> = {};
  const releasedBySku = new Map<string, number>();
  const cancelledBySku = new Map<string, number>();
  const allocatedBySku = new Map<string, number>();
  const expiriesOf = new Map<string, string[]>();
  const add = (map: Map<string, number>, sku: string, n: number) => map.set(sku, (map.get(sku) ?? 0) + n);
  for (const [eventId, [first]] of swept) {
    const e = envelopeOfRaw(first!)!;
    const type = e.eventType === 'StockReleased' ? `StockReleased ${e.payload.reason}` : e.eventType;
    sweptByType[type] = (sweptByType[type] ?? 0) + 1;
    if (type === 'StockReleased EXPIRED' || type === 'ReservationExpired')
      expiriesOf.set(e.payload.orderId, [...(expiriesOf.get(e.payload.orderId) ?? []), eventId]);
    if (type === 'StockReleased EXPIRED')
      for (const l of e.payload.lines as { sku: string; quantity: number; backorderCancelled?: number }[]) {
        add(releasedBySku, l.sku, l.quantity);
        add(cancelledBySku, l.sku, l.backorderCancelled ?? 0);
      }
    else if (type === 'BackorderAllocated') for (const l of e.payload.lines as { sku: string; quantity: number }[]) add(allocatedBySku, l.sku, l.quantity);
    else if (type !== 'ReservationExpired') strays++;
  }
  const sweptNet = (sku: string) => (allocatedBySku.get(sku) ?? 0) - (releasedBySku.get(sku) ?? 0);

  const outcomeOf = (order: OrderSpec) => {
    const ids = byCause.get(order.eventId);
    const first = ids && [...ids.values()][0]?.[0];
    return first ? envelopeOfRaw(first) : null;
  };
  const outcomesByType: Record<string, number> = {};
  const acceptedBySku = new Map<string, number>();
  const publishedBySku = new Map<string, number>();
  const backorderedBySku = new Map<string, number>();
  let bogusShortages = 0;
  for (const order of orders) {
    const outcome = outcomeOf(order);
    const type = outcome?.eventType ?? 'NONE';
    outcomesByType[type] = (outcomesByType[type] ?? 0) + 1;
    if (type === 'StockReserved') {
      // What was reserved of a line is its quantity less what was backordered (contract v2; 0 for v1 orders).
      const published = outcome!.payload.lines as { sku: string; quantity: number; backordered?: number }[];
      const backorderedOf = (sku: string) => published.find((l) => l.sku === sku)?.backordered ?? 0;
      for (const line of order.lines) acceptedBySku.set(line.sku, (acceptedBySku.get(line.sku) ?? 0) + line.quantity - backorderedOf(line.sku));
      for (const line of published) {
        publishedBySku.set(line.sku, (publishedBySku.get(line.sku) ?? 0) + line.quantity - (line.backordered ?? 0));
        backorderedBySku.set(line.sku, (backorderedBySku.get(line.sku) ?? 0) + (line.backordered ?? 0));
      }
    }
    if (type === 'InsufficientStock') {
      for (const line of outcome!.payload.lines as { requested: number; available: number; reason: string }[]) {
        if (line.reason === 'INSUFFICIENT_STOCK' && line.requested <= line.available) bogusShortages++;
      }
    }
  }

  const db = createDb(options.databaseUrl, 2);
  try {
    const processedRows = await db.processedEvent.count();
    const inventory = await db.$queryRaw<{ sku: string; reserved: bigint; on_hand: bigint }[]>`
      SELECT p.sku, SUM(i.quantity_reserved) AS reserved, SUM(i.quantity_on_hand) AS on_hand FROM inventory i JOIN product p USING (product_id) GROUP BY p.sku`;
    const reservations = await db.$queryRaw<{ sku: string; open: bigint }[]>`
      SELECT p.sku, SUM(r.quantity - r.quantity_shipped - r.quantity_released) AS open FROM reservation r JOIN product p USING (product_id) GROUP BY p.sku`;
    const openBySku = new Map(reservations.map((r) => [r.sku, Number(r.open)]));
    const backorders = await db.$queryRaw<{ sku: string; open: bigint }[]>`
      SELECT p.sku, SUM(b.quantity - b.quantity_allocated - b.quantity_cancelled) AS open FROM backorder b JOIN product p USING (product_id) WHERE b.status = 'OPEN' GROUP BY p.sku`;
    const openBackorderedBySku = new Map(backorders.map((r) => [r.sku, Number(r.open)]));
    const backorderMismatches: ScenarioReport['backorderMismatches'] = {};
    const reservedMismatches: ScenarioReport['reservedMismatches'] = {};
    const onHandMismatches: ScenarioReport['onHandMismatches'] = {};
    let reservedTotal = 0;
    for (const sku of Object.keys(stock)) {
      const row = inventory.find((r) => r.sku === sku);
      const figures: [number, number, number, number] = [
        (acceptedBySku.get(sku) ?? 0) + sweptNet(sku),
        Number(row?.reserved ?? 0),
        openBySku.get(sku) ?? 0,
        (publishedBySku.get(sku) ?? 0) + sweptNet(sku),
      ];
      reservedTotal += figures[1];
      if (new Set(figures).size > 1) reservedMismatches[sku] = figures;
      const backordered: [number, number] = [
        (backorderedBySku.get(sku) ?? 0) - (allocatedBySku.get(sku) ?? 0) - (cancelledBySku.get(sku) ?? 0),
        openBackorderedBySku.get(sku) ?? 0,
      ];
      if (backordered[0] !== backordered[1]) backorderMismatches[sku] = backordered;
      if (Number(row?.on_hand ?? 0) !== stock[sku]) onHandMismatches[sku] = [stock[sku]!, Number(row?.on_hand ?? 0)];
    }
    const inbox = new Map((await db.processedEvent.findMany({ select: { eventId: true, outcome: true } })).map((r) => [r.eventId, r.outcome]));
    const expectedWord: Record<string, string> = { StockReserved: 'RESERVED', InsufficientStock: 'INSUFFICIENT_STOCK' };
    const reserved = (o: OrderSpec) => outcomeOf(o)?.eventType === 'StockReserved';
    const inboxOutcomeMismatches =
      orders.filter((o) => {
        const type = outcomeOf(o)?.eventType;
        return type !== undefined && inbox.get(o.eventId) !== expectedWord[type];
      }).length +
      // An OrderConfirmed makes a held order firm; an order that was refused has no hold to confirm.
      orders.filter((o) => o.confirmEventId && inbox.get(o.confirmEventId) !== (reserved(o) ? 'CONFIRMED' : 'NOT_ON_HOLD')).length;

    // Each hold ends as the mix says (short: EXPIRED, confirmed: CONFIRMED, else still HELD; never SHIPPED: no order ships),
    // and an expired hold, only it, has its two events on the wire under the ids derived from (orderId, holdUntil).
    const holdRows = await db.$queryRaw<{ order_id: string; hold_until: Date; status: string }[]>`SELECT order_id, hold_until, status FROM reservation_hold`;
    const holdOf = new Map(holdRows.map((h) => [h.order_id, h]));
    const holdsByStatus: Record<string, number> = {};
    for (const h of holdRows) holdsByStatus[h.status] = (holdsByStatus[h.status] ?? 0) + 1;
    const holdMismatches: string[] = [];
    for (const o of orders) {
      const h = holdOf.get(o.orderId);
      const expected = !o.holdForMs || !reserved(o) ? undefined : o.holdForMs < LONG_HOLD_MS ? 'EXPIRED' : o.confirmEventId ? 'CONFIRMED' : 'HELD';
      if (h?.status !== expected) holdMismatches.push(`${o.orderId}: hold ${h?.status ?? 'none'}, expected ${expected ?? 'none'}`);
      const ids = h?.status === 'EXPIRED' ? expiryEventIds({ orderId: o.orderId, holdUntil: h.hold_until }) : null;
      const want = ids ? [ids.stockReleased, ids.reservationExpired].sort() : [];
      const got = [...(expiriesOf.get(o.orderId) ?? [])].sort();
      if (JSON.stringify(got) !== JSON.stringify(want))
        holdMismatches.push(`${o.orderId}: expiry events ${got.join(',') || 'none'}, expected ${want.join(',') || 'none'}`);
    }
    return {
      inputs: inputCount(orders),
      inputMessages,
      inputCopies,
      processedRows,
      outcomesByType,
      missing,
      conflicting,
      strays,
      sweptMessages,
      sweptEvents: swept.size,
      sweptByType,
      holdsByStatus,
      holdMismatches,
      outcomeMessages,
      distinctOutcomes,
      outputWireDuplicates: outcomeMessages - distinctOutcomes + sweptMessages - swept.size,
      duplicateCopiesDiffer,
      deadLetters: dlqWire.length,
      reservedMismatches,
      reservedTotal,
      backorderMismatches,
      backorderedTotal: [...openBackorderedBySku.values()].reduce((a, b) => a + b, 0),
      onHandMismatches,
      inboxOutcomeMismatches,
      bogusShortages,
      drift: await stockDrift(db),
      log: logFigures(options.logFiles),
    };
  } finally {
    await db.$disconnect();
  }
}

/** The assertions every scenario shares, as one object so a failure shows every figure at once. */
export function invariantViolations(report: ScenarioReport, overReservedSeen: unknown[]): Record<string, unknown> {
  const violations: Record<string, unknown> = {};
  if (report.missing.length) violations.missingOutcomes = { count: report.missing.length, first: report.missing.slice(0, 5) };
  if (report.conflicting.length) violations.conflictingOutcomes = { count: report.conflicting.length, first: report.conflicting.slice(0, 5) };
  if (report.strays) violations.strayOutcomes = report.strays;
  if (report.duplicateCopiesDiffer) violations.duplicateCopiesDiffer = report.duplicateCopiesDiffer;
  // Exactly once on the wire (issue 11): a read_committed reader sees no second copy of any outcome.
  if (report.outputWireDuplicates) violations.outputWireDuplicates = report.outputWireDuplicates;
  if (report.deadLetters) violations.deadLetters = report.deadLetters;
  if (report.processedRows !== report.inputs) violations.processedRows = { expected: report.inputs, actual: report.processedRows };
  if (Object.keys(report.reservedMismatches).length) violations.reservedMismatches = report.reservedMismatches;
  if (Object.keys(report.backorderMismatches).length) violations.backorderMismatches = report.backorderMismatches;
  if (Object.keys(report.onHandMismatches).length) violations.onHandMismatches = report.onHandMismatches;
  if (report.holdMismatches.length) violations.holdMismatches = { count: report.holdMismatches.length, first: report.holdMismatches.slice(0, 5) };
  if (report.inboxOutcomeMismatches) violations.inboxOutcomeMismatches = report.inboxOutcomeMismatches;
  if (report.bogusShortages) violations.bogusShortages = report.bogusShortages;
  if (report.drift.length) violations.drift = report.drift.slice(0, 10);
  if (overReservedSeen.length) violations.overReservedSeen = overReservedSeen.slice(0, 10);
  return violations;
}
