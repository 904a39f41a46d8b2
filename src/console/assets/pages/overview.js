// Overview: is the service keeping up, what did it refuse lately, what is on
// order, and what is out or low.
import { api } from '../api.js';
import { badge, h, link, num, pagedTable, section, simpleTable, when } from '../ui.js';
import { hrefOf } from '../router.js';
import { warehouseText } from '../warehouses.js';

export async function overviewPage() {
  const overview = await api.get('/v1/overview');
  const lag = overview.consumerLag ?? [];
  return h(
    'div',
    {},
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'grid' },
      section(
        'Consumer lag',
        lag.length
          ? simpleTable(lag, [
              { label: 'Topic', value: (t) => h('span', { class: 'nowrap' }, t.topic) },
              { label: 'Messages behind', numeric: true, value: (t) => h('span', { class: t.lag > 0 ? 'warn' : null }, num(t.lag)) },
              { label: 'Partitions', numeric: true, value: (t) => num(t.partitions) },
            ])
          : h('p', { class: 'muted' }, overview.consumerLagProblem ?? 'The consumer group has not committed offsets yet.'),
        overview.consumerLagAt
          ? h('p', { class: 'muted small' }, 'Measured ', when(overview.consumerLagAt), ` for group ${overview.consumerGroup ?? ''}`)
          : null,
      ),
      section(
        'Dead letters, last 24 hours',
        simpleTable(
          overview.deadLettersLast24h ?? [],
          [
            { label: 'Code', value: (d) => link(hrefOf('dead-letters', null, { code: d.code }), d.code) },
            { label: 'Count', numeric: true, value: (d) => num(d.count) },
          ],
          'None in the last 24 hours.',
        ),
      ),
      section(
        'Open purchase orders',
        simpleTable(
          overview.openPurchaseOrders ?? [],
          [
            { label: 'Status', value: (p) => link(hrefOf('purchase-orders', null, { status: p.status }), p.status.toLowerCase()) },
            { label: 'Count', numeric: true, value: (p) => num(p.count) },
            { label: 'Earliest expected', value: (p) => p.earliestExpectedDate ?? '–' },
          ],
          'No open purchase orders.',
        ),
      ),
    ),
    section(
      'Out of stock or low',
      pagedTable({
        load: (page) => api.get('/v1/stock-alerts', page),
        empty: 'Every active product is in stock in every warehouse that holds it.',
        columns: [
          { label: 'SKU', value: (a) => link(hrefOf('stock', a.sku), a.sku) },
          { label: 'Name', value: (a) => a.name },
          { label: 'Warehouse', value: (a) => warehouseText(a.warehouseId) },
          { label: 'Available', numeric: true, value: (a) => num(a.available) },
          { label: 'Reorder point', numeric: true, value: (a) => num(a.reorderPoint) },
          { label: 'Incoming', numeric: true, value: (a) => num(a.incoming) },
          { label: 'Status', value: (a) => badge(a.status) },
        ],
      }),
    ),
  );
}
