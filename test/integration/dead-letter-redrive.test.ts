import { TestStack, READ_TOKEN, WRITE_TOKEN } from '../support/harness';
import { smallCatalog } from '../fixtures/catalog';
import { topicName } from '../../src/contracts';
import type { InventoryService } from '../../src/service';
import { deadLettersCommand } from '../../src/cli/dead-letters';
import { redriveCommand } from '../../src/cli/redrive';
import { createLogger } from '../../src/logger';

interface DeadLetterItem {
  id: number;
  code: string;
  topic: string;
  key: string | null;
  eventId: string | null;
  value: string | null;
  headers: Record<string, string>;
  redrivenAt: string | null;
}

/** Dead letters for people: listed with their message, redriven once, judged again as if new. */
describe('dead letters: list and redrive', () => {
  let stack: TestStack;
  let service: InventoryService;
  let url: string;

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(smallCatalog([{ sku: 'HAMMER', location: 'A-01-1-01', quantity: 10 }]));
    service = await stack.startService();
    url = (await stack.startApi(service)).url;
  });

  afterAll(() => stack.stop());

  const list = async (query = '') => {
    const res = await fetch(`${url}/v1/dead-letters${query}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: DeadLetterItem[] }).items;
  };
  const redrive = (id: number, token = WRITE_TOKEN) =>
    fetch(`${url}/v1/dead-letters/${id}/redrive`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const dlqOf = (eventId: string) =>
    stack.recorder.messages.filter((m) => m.topic === topicName('inventory-dlq', stack.config.KAFKA_TOPIC_PREFIX) && m.envelope?.eventId === eventId);
  const outcomeOf = (eventId: string) => stack.db.processedEvent.findUnique({ where: { eventId } });

  it('an OrderShipped refused before its order was reserved ships when redriven after the reservation exists; a second redrive is 409', async () => {
    const [early] = await stack.publish('orders', 'early-1', [{ eventType: 'OrderShipped', payload: { orderId: 'early-1' } }]);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 1, 30_000, 'the early OrderShipped dead-lettered');
    const [deadLetter] = await list('?code=NOTHING_RESERVED');
    expect(deadLetter).toMatchObject({
      code: 'NOTHING_RESERVED',
      topic: 'orders',
      key: 'early-1',
      eventId: early,
      redrivenAt: null,
      headers: expect.objectContaining({ 'event-id': early }),
    });
    expect(JSON.parse(deadLetter!.value!)).toMatchObject({ eventId: early, eventType: 'OrderShipped' });

    // Delivered again as it was, it is still skipped: its refusal is on record.
    const [placed] = await stack.publish('orders', 'early-1', [
      { eventType: 'OrderPlaced', payload: { orderId: 'early-1', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 4 }] } },
    ]);
    expect((await stack.outcomeOf(placed!)).envelope.eventType).toBe('StockReserved');

    const res = await redrive(deadLetter!.id);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id: deadLetter!.id, redrivenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const shipped = await stack.outcomeOf(early!);
    expect(shipped.envelope.eventType).toBe('StockShipped');
    expect(shipped.envelope.payload).toMatchObject({ orderId: 'early-1', lines: [{ sku: 'HAMMER', quantity: 4 }] });
    expect(shipped.headers['dlq-redrive-of']).toBeUndefined();
    const hammer = await stack.db.inventory.findFirstOrThrow({ where: { product: { sku: 'HAMMER' } } });
    expect({ onHand: hammer.quantityOnHand, reserved: hammer.quantityReserved }).toEqual({ onHand: 6, reserved: 0 });
    expect((await outcomeOf(early!))?.outcome).not.toBe('DEAD_LETTERED');

    const again = await redrive(deadLetter!.id);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await again.json()).toMatchObject({ code: 'ALREADY_REDRIVEN' });
    expect((await list('?code=NOTHING_RESERVED'))[0]!.redrivenAt).not.toBeNull();
  });

  it('the redriven message is judged once: delivered again, it is a duplicate; a copied header without a redrive changes nothing', async () => {
    const [early] = await stack.publish('orders', 'early-2', [{ eventType: 'OrderShipped', payload: { orderId: 'early-2' } }]);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 1, 30_000, 'dead-lettered');
    const deadLetter = (await list()).find((d) => d.eventId === early)!;
    const [placed] = await stack.publish('orders', 'early-2', [
      { eventType: 'OrderPlaced', payload: { orderId: 'early-2', warehouseId: 1, lines: [{ sku: 'HAMMER', quantity: 1 }] } },
    ]);
    await stack.outcomeOf(placed!);

    // Someone copies the message with a dlq-redrive-of header, but no redrive was asked for: still a duplicate.
    const original = JSON.parse(deadLetter.value!) as Record<string, unknown>;
    await stack.publishRaw('orders', 'early-2', JSON.stringify(original), { 'dlq-redrive-of': String(deadLetter.id) });
    const [marker] = await stack.publish('orders', 'early-2', [{ eventType: 'OrderCancelled', payload: { orderId: 'nothing-here' } }]);
    await waitFor(async () => (await outcomeOf(marker!)) !== null);
    expect((await outcomeOf(early!))?.outcome).toBe('DEAD_LETTERED');
    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === early)).toEqual([]);

    expect((await redrive(deadLetter.id)).status).toBe(202);
    expect((await stack.outcomeOf(early!)).envelope.eventType).toBe('StockShipped');
    // The same redriven message again (a redelivery): skipped, nothing published twice.
    await stack.publishRaw('orders', 'early-2', JSON.stringify(original), { 'dlq-redrive-of': String(deadLetter.id) });
    const [marker2] = await stack.publish('orders', 'early-2', [{ eventType: 'OrderCancelled', payload: { orderId: 'nothing-here-2' } }]);
    await waitFor(async () => (await outcomeOf(marker2!)) !== null);
    expect(stack.recorder.messages.filter((m) => m.envelope?.causationId === early).map((m) => m.envelope?.eventType)).toEqual(['StockShipped']);
  });

  it('a redriven message refused again is a new dead letter, which can be redriven in turn', async () => {
    const [early] = await stack.publish('orders', 'never-1', [{ eventType: 'OrderShipped', payload: { orderId: 'never-1' } }]);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 1, 30_000, 'dead-lettered');
    const first = (await list()).find((d) => d.eventId === early)!;
    expect((await redrive(first.id)).status).toBe(202);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 2, 30_000, 'dead-lettered again');
    const second = (await list()).find((d) => d.eventId === early && d.id !== first.id)!;
    expect(second).toMatchObject({ code: 'NOTHING_RESERVED', headers: expect.objectContaining({ 'dlq-redrive-of': String(first.id) }) });
    expect(dlqOf(early!)[1]!.headers['dlq-redrive-of']).toBe(String(first.id));
    expect((await redrive(second.id)).status).toBe(202);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 3, 30_000, 'dead-lettered a third time');
  });

  it('unknown id 404, malformed id 400, read token 403', async () => {
    expect(await (await redrive(987654)).json()).toMatchObject({ status: 404, code: 'DEAD_LETTER_NOT_FOUND' });
    expect(await (await redrive(0)).json()).toMatchObject({ status: 400, code: 'INVALID_PARAMETER' });
    expect((await redrive(1, READ_TOKEN)).status).toBe(403);
  });

  it('CLI: dead-letters prints one line each; redrive prints one line and refuses an unknown id or a second redrive', async () => {
    const cli = async (command: typeof redriveCommand, args: string[]) => {
      const lines: string[] = [];
      try {
        const code = await command.run(args, { config: stack.config, logger: createLogger('silent'), out: (l) => lines.push(l) });
        return { code, lines, error: null as string | null };
      } catch (error) {
        return { code: null, lines, error: (error as Error).message };
      }
    };
    const [early] = await stack.publish('orders', 'cli-1', [{ eventType: 'OrderShipped', payload: { orderId: 'cli-1' } }]);
    await stack.recorder.waitFor(() => dlqOf(early!).length === 1, 30_000, 'dead-lettered');
    const listed = await cli(deadLettersCommand, ['--code', 'NOTHING_RESERVED']);
    expect(listed.code).toBe(0);
    expect(listed.lines.length).toBe((await list('?code=NOTHING_RESERVED')).length);
    const line = listed.lines.find((l) => l.includes(early!))!;
    const id = Number(line.split('\t')[0]);
    expect(line.split('\t')).toEqual([
      String(id),
      expect.stringMatching(/^\d{4}-/),
      'NOTHING_RESERVED',
      expect.stringMatching(/^orders\/\d+@\d+$/),
      'key=cli-1',
      `OrderShipped ${early}`,
      'not redriven',
      expect.any(String),
    ]);

    const first = await cli(redriveCommand, [String(id)]);
    expect(first).toEqual({ code: 0, lines: [expect.stringMatching(new RegExp(`^redriven dead letter ${id} to \\S+orders at `))], error: null });
    await stack.recorder.waitFor(() => dlqOf(early!).length === 2, 30_000, 'judged again (and refused again: nothing is reserved)');
    expect(await cli(redriveCommand, [String(id)])).toMatchObject({ code: null, error: expect.stringContaining('already redriven') });
    expect(await cli(redriveCommand, ['999999'])).toMatchObject({ code: null, error: 'no dead letter 999999' });
    expect(await cli(redriveCommand, ['abc'])).toMatchObject({ code: null, error: expect.stringContaining('one dead letter id') });
    expect(await cli(deadLettersCommand, ['--topic', 'nowhere'])).toMatchObject({ code: null, error: expect.stringContaining('--topic') });
  });

  it('lists by topic and code, newest first, paged', async () => {
    const all = await list();
    expect(all.map((d) => d.id)).toEqual([...all.map((d) => d.id)].sort((a, b) => b - a));
    expect(await list('?topic=goods-receipts')).toEqual([]);
    expect((await list('?topic=orders')).length).toBe(all.length);
    const res = await fetch(`${url}/v1/dead-letters?limit=2`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    const page = (await res.json()) as { items: DeadLetterItem[]; nextCursor: string };
    const rest = (await (
      await fetch(`${url}/v1/dead-letters?limit=500&cursor=${page.nextCursor}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })
    ).json()) as { items: DeadLetterItem[] };
    expect([...page.items, ...rest.items].map((d) => d.id)).toEqual(all.map((d) => d.id));
    expect((await fetch(`${url}/v1/dead-letters?topic=inventory-dlq`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(400);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
