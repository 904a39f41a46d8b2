import type { Locator, Page } from 'playwright-core';
import { READ_TOKEN, TestStack, WRITE_TOKEN } from '../support/harness';
import { openBrowser, type Browser } from '../support/browser';
import { demoTraffic } from '../../src/cli/demo';
import demo from '../../prisma/fixtures/demo.json';
import type { ImportFileInput } from '../../src/master-data/import-schema';

/**
 * The operator console in a real browser (Debian's Chromium, headless) against
 * the real service on a real broker and PostgreSQL, after the demo's traffic:
 * what the pages show must be what the API answers. Screenshots of every page
 * go to test-results/console/.
 */
describe('operator console in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let base: string;
  const run = Date.now().toString(36);
  const order = (n: number) => `demo-${run}-${n}`;
  // Answers are compared field by field with what the page shows.
  const api = async (path: string): Promise<any> => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).json();

  beforeAll(async () => {
    stack = await TestStack.start();
    await stack.importMasterData(demo as ImportFileInput);
    base = (await stack.startApi(await stack.startService())).url;
    const sent: string[] = [];
    for (const event of demoTraffic(run)) sent.push(...(await stack.publish(event.topic, event.key, [{ eventType: event.eventType, payload: event.payload }])));
    // Every demo event has its answer: an outcome on inventory-events, or (order 5's early shipment) the dead letter.
    await stack.recorder.waitFor(
      (ms) => sent.every((id) => ms.some((m) => m.envelope?.causationId === id || (m.topic.endsWith('inventory-dlq') && m.envelope?.eventId === id))),
      60_000,
      'answers to the demo traffic',
    );
    browser = await openBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signIn(token: string): Promise<void> {
    await page.goto(`${base}/console/`);
    // Keyboard only: the token field has the focus; Enter signs in.
    await page.locator('#token').waitFor();
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.locator('#who').waitFor({ state: 'visible' });
  }

  it('signs in with a read token; the token stays out of the URL; signing out forgets it', async () => {
    await page.goto(`${base}/console/`);
    await page.locator('#token').fill('not-a-token-of-this-service');
    await page.locator('#sign-in button[type=submit]').click();
    await expectText(page.locator('#sign-in-problem'), /refused/);
    // Signed out, the pages are not offered.
    expect(await page.locator('#nav').isVisible()).toBe(false);
    await browser.screenshot('sign-in-refused');

    await signIn(READ_TOKEN);
    await expectText(page.locator('#who'), 'reader (read)');
    await page.locator('#page h1', { hasText: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(READ_TOKEN);
    expect(browser.requested.some((url) => url.includes(READ_TOKEN))).toBe(false);
    expect(await page.evaluate('sessionStorage.length')).toBe(1);

    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.reload();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
  });

  it('finds a SKU by name and shows the figures the API gives, its bins, ledger and chart', async () => {
    await signIn(READ_TOKEN);
    await page.locator('#nav a[data-page="stock"]').click();
    await page.locator('#f-q').fill('claw');
    await page.keyboard.press('Enter');
    await page.locator('a', { hasText: 'HAMMER-16OZ' }).click();
    await page.locator('#page h1', { hasText: 'HAMMER-16OZ' }).waitFor();

    const availability = await api('/v1/availability?sku=HAMMER-16OZ');
    const level = availability.items[0];
    // Orders 1 (12, shipped) and 4 (30) took 42 of the 48 in Berlin.
    expect(level).toMatchObject({ onHand: 36, reserved: 30, available: 6, status: 'LOW_STOCK' });
    const row = page.locator('table.levels tbody tr, section:has(h2:text("Per warehouse")) tbody tr').first();
    await expectText(row.locator('td[data-label="On hand"]'), String(level.onHand));
    await expectText(row.locator('td[data-label="Reserved"]'), String(level.reserved));
    await expectText(row.locator('td[data-label="Available"]'), String(level.available));
    await expectText(row.locator('td[data-label="Incoming"]'), String(level.incoming));
    await expectText(row.locator('td[data-label="Status"]'), 'low');
    await expectText(row.locator('td[data-label="Warehouse"]'), 'BER1');

    // The purchase order the low stock raised, with its expected date.
    const incoming = await api('/v1/products/HAMMER-16OZ/incoming');
    const pos = await api('/v1/purchase-orders');
    const raised = pos.items.find((po: { lines: { sku: string }[] }) => po.lines.some((l) => l.sku === 'HAMMER-16OZ'));
    expect(raised).toBeDefined();
    // Replenishment raised it as a DRAFT: listed, not yet counted as incoming.
    expect(incoming.items).toEqual([expect.objectContaining({ poId: raised.poId, status: 'DRAFT', expectedDate: raised.expectedDate })]);
    const poSection = page.locator('section:has(h2:text("Purchase orders bringing it"))');
    await expectText(poSection, `PO ${raised.poId}`);
    await expectText(poSection, raised.expectedDate);
    await expectText(poSection, 'not yet incoming');

    const bins = await api('/v1/products/HAMMER-16OZ/stock');
    const binsSection = page.locator('section:has(h2:text("Bins"))');
    for (const bin of bins.items) await expectText(binsSection, bin.location);
    await expectText(binsSection, 'pick face');

    const ledger = await api('/v1/ledger?sku=HAMMER-16OZ&limit=25');
    const ledgerRows = page.locator('section:has(h2:text("Ledger")) tbody tr');
    await ledgerRows.first().waitFor();
    expect(await ledgerRows.count()).toBe(ledger.items.length);
    await expectText(ledgerRows.first().locator('td[data-label="Type"]'), ledger.items[0].type);

    const chart = page.locator('svg.chart');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toContain('to 36');
    await browser.screenshot('stock');

    // Filter the ledger by reference: only order 4's rows.
    await page.locator('#f-referenceId').fill(order(4));
    await page.locator('#f-referenceId').press('Enter');
    await page.waitForFunction(`location.hash.includes(${JSON.stringify(encodeURIComponent(order(4)))})`);
    const filtered = await api(`/v1/ledger?sku=HAMMER-16OZ&referenceId=${order(4)}`);
    await eventually(
      () => page.locator('section:has(h2:text("Ledger")) tbody tr').count(),
      (n) => n === filtered.items.length,
      'filtered ledger rows',
    );
    await expectText(page.locator('section:has(h2:text("Ledger")) tbody'), `order ${order(4)}`);
  });

  it('opens an order by its id', async () => {
    await page.locator('#nav a[data-page="orders"]').click();
    await page.locator('#f-orderId').fill(order(4));
    await page.keyboard.press('Enter');
    await page.locator('#page h1', { hasText: `Order ${order(4)}` }).waitFor();
    const answer = await api(`/v1/orders/${order(4)}`);
    expect(answer.status).toBe('OPEN');
    await expectText(page.locator('#page h1'), 'open');
    const line = page.locator('section:has(h2:text("Reservation")) tbody tr').first();
    await expectText(line.locator('td[data-label="SKU"]'), 'HAMMER-16OZ');
    await expectText(line.locator('td[data-label="Still reserved"]'), String(answer.lines[0].allocations[0].reserved));
    await expectText(page.locator('section:has(h2:text("Ledger rows"))'), 'RESERVE');
    await browser.screenshot('order');
  });

  it('lists purchase orders and opens one with its lines', async () => {
    await page.locator('#nav a[data-page="purchase-orders"]').click();
    const list = await api('/v1/purchase-orders');
    const po = list.items[0];
    await page
      .locator('a', { hasText: `PO ${po.poId}` })
      .first()
      .waitFor();
    await browser.screenshot('purchase-orders');
    await page.locator('#f-status').selectOption('CANCELLED');
    await page.locator('.filters button[type=submit]').click();
    await page.locator('p.muted', { hasText: 'No purchase order matches.' }).waitFor();
    await page.goBack();
    await page
      .locator('a', { hasText: `PO ${po.poId}` })
      .first()
      .click();
    await page.locator('#page h1', { hasText: `Purchase order ${po.poId}` }).waitFor();
    const line = page.locator('section:has(h2:text("Lines")) tbody tr').first();
    await expectText(line.locator('td[data-label="SKU"]'), po.lines[0].sku);
    await expectText(line.locator('td[data-label="Ordered"]'), String(po.lines[0].ordered));
    await browser.screenshot('purchase-order');
  });

  it('shows an API error as a readable message', async () => {
    await page.goto(`${base}/console/#/purchase-orders/999999`);
    await expectText(page.locator('#page .problem'), /Not Found: no purchase order 999999 \(PURCHASE_ORDER_NOT_FOUND\)/);
    await browser.screenshot('error');
  });

  it('shows the overview: lag per topic, dead letters of the last day, open purchase orders, low stock', async () => {
    await page.locator('#nav a[data-page="overview"]').click();
    await page.locator('#page h1', { hasText: 'Overview' }).waitFor();
    const lag = page.locator('section:has(h2:text("Consumer lag"))');
    for (const topic of ['orders', 'goods-receipts', 'purchase-order-updates', 'inventory-operations']) await expectText(lag, topic);
    await expectText(page.locator('section:has(h2:text("Dead letters, last 24 hours"))'), /[A-Z_]{6,}\s*1/);
    await expectText(page.locator('section:has(h2:text("Out of stock or low"))'), 'HAMMER-16OZ');
    await browser.screenshot('overview');
  });

  it('redrives a dead letter with a write token, once, and the order ships', async () => {
    // A read token sees the letter but no button.
    await page.locator('#nav a[data-page="dead-letters"]').click();
    const card = page.locator('li.letter', { hasText: order(5) });
    await card.waitFor();
    await expectText(card, 'needs a token with scope write');
    await page.locator('#sign-out').click();

    await signIn(WRITE_TOKEN);
    await page.locator('#nav a[data-page="dead-letters"]').click();
    await card.waitFor();
    await card.locator('summary').click();
    await expectText(card.locator('pre.message').first(), '"eventType": "OrderShipped"');
    await card.locator('.redrive-button').click();
    await card.locator('.confirm-redrive').waitFor();
    await browser.screenshot('dead-letters-confirm');
    await card.locator('.confirm-redrive').click();
    await expectText(card.locator('.status'), 'Sent again');
    expect(await card.locator('.redrive-button').isDisabled()).toBe(true);
    await expectText(card.locator('.redrive-button'), 'Redriven');
    await browser.screenshot('dead-letters');

    await stack.recorder.waitFor(
      (ms) => ms.some((m) => m.envelope?.eventType === 'StockShipped' && m.envelope.payload.orderId === order(5)),
      30_000,
      'order 5 shipped after the redrive',
    );
    await page.locator('#nav a[data-page="orders"]').click();
    await page.locator('#f-orderId').fill(order(5));
    await page.keyboard.press('Enter');
    await expectText(page.locator('#page h1'), 'fulfilled');
    await expectText(page.locator('section:has(h2:text("Reservation")) td[data-label="Shipped"]').first(), '4');
    await browser.screenshot('order-shipped-after-redrive');

    // Reloaded, the letter stays redriven: the button is disabled.
    await page.locator('#nav a[data-page="dead-letters"]').click();
    await eventually(
      () => card.locator('.redrive-button').isDisabled(),
      (d) => d,
      'redrive button disabled after a reload',
    );
  });

  it('fits a phone width and asks nothing of any other host', async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      await phone.page.goto(`${base}/console/`);
      await phone.page.locator('#token').fill(READ_TOKEN);
      await phone.page.keyboard.press('Enter');
      await phone.page.locator('#who').waitFor({ state: 'visible' });
      await phone.page.goto(`${base}/console/#/stock/HAMMER-16OZ`);
      await phone.page.locator('svg.chart').waitFor();
      await phone.page.locator('section:has(h2:text("Bins")) tbody tr').first().waitFor();
      const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot('stock-phone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
    for (const url of browser.requested) expect(url.startsWith(`${base}/`) || url.startsWith('data:')).toBe(true);
    expect(browser.errors.filter((e) => !/status of 40[14]/.test(e))).toEqual([]);
  });
});

/** Polls until the value passes the check (tests wait for conditions, never for fixed sleeps). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** Waits until the locator's text contains the expected text (or matches the pattern); fails showing the text it had. */
async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  const pattern = typeof expected === 'string' ? new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : expected;
  await locator.first().waitFor();
  const deadline = Date.now() + 15_000;
  let text = (await locator.allTextContents()).join(' ');
  while (!pattern.test(text) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    text = (await locator.allTextContents()).join(' ');
  }
  expect(text).toMatch(pattern);
}
