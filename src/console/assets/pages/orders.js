// Order: what the service holds for one orderId (its reservation per line and
// location, what shipped, released, expired or is backordered) and the ledger
// rows that reference it.
import { api, seg } from '../api.js';
import { badge, filterForm, h, link, num, section, simpleTable, when } from '../ui.js';
import { go, hrefOf } from '../router.js';
import { ledgerTable } from './stock.js';
import { warehouseLabel, warehouseText } from '../warehouses.js';

export async function orderPage(route) {
  const search = filterForm(
    [{ name: 'orderId', label: 'Order id', placeholder: 'e.g. checkout-8812' }],
    { orderId: route.id ?? '' },
    ({ orderId }) => orderId && go('orders', orderId),
    'Open',
  );
  if (!route.id) return h('div', {}, h('h1', {}, 'Orders'), search, h('p', { class: 'muted' }, 'Enter an order id to see its reservation.'));
  let order;
  try {
    order = await api.get(`/v1/orders/${seg(route.id)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    return h(
      'div',
      {},
      h('h1', {}, `Order ${route.id}`),
      search,
      h('p', { class: 'problem', role: 'alert' }, `The service holds no reservation for order ${route.id}. ${error.message}`),
    );
  }
  return h(
    'div',
    {},
    h('p', { class: 'crumbs' }, link(hrefOf('orders'), 'Orders'), ' / ', route.id),
    h('h1', {}, `Order ${route.id} `, badge(order.status)),
    search,
    section('Reservation', summary(order), totals(order), await linesTable(order)),
    section('Ledger rows referencing this order', ledgerTable({ referenceId: route.id })),
  );
}

function summary(order) {
  const facts = [
    ['Status', badge(order.status)],
    ['Hold until', order.holdUntil ? when(order.holdUntil) : 'no hold (firm)'],
    order.expiredAt ? ['Expired at', when(order.expiredAt)] : null,
    order.warehouseIds?.length
      ? [
          'Warehouses',
          h(
            'span',
            {},
            order.warehouseIds.map((id, i) => [i ? ', ' : '', warehouseText(id)]),
          ),
        ]
      : null,
    ['Reserved at', when(order.reservedAt ?? order.createdAt)],
    order.updatedAt ? ['Last change', when(order.updatedAt)] : null,
  ].filter(Boolean);
  return h(
    'dl',
    { class: 'facts' },
    facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/** The order's units at a glance: what is still held, what left the building, what was let go. */
function totals(order) {
  const total = (key) => (order.lines ?? []).reduce((sum, line) => sum + (line[key] ?? 0), 0);
  const figures = [
    ['Ordered', total('quantity')],
    ['Still reserved', total('reserved')],
    ['Shipped', total('shipped')],
    ['Released', total('released')],
    ['Backordered', total('backordered')],
  ];
  return h(
    'ul',
    { class: 'figures' },
    figures.map(([label, value]) => h('li', {}, h('span', { class: 'figure' }, num(value)), h('span', { class: 'muted' }, label))),
  );
}

/** One row per line and location; a line with nothing allocated (wholly backordered) gets one row. */
async function linesTable(order) {
  const rows = [];
  for (const line of order.lines ?? []) {
    const allocations = line.allocations ?? line.locations ?? [];
    if (!allocations.length) rows.push({ line, allocation: null, first: true });
    allocations.forEach((allocation, i) => rows.push({ line, allocation, first: i === 0 }));
  }
  if (!rows.length) return h('p', { class: 'muted' }, 'No lines.');
  const labels = new Map();
  for (const row of rows) {
    const id = row.allocation?.warehouseId;
    if (id !== undefined && !labels.has(id)) labels.set(id, await warehouseLabel(id));
  }
  const a = (row, key) => (row.allocation ? num(row.allocation[key] ?? 0) : '–');
  const columns = [
    { label: 'SKU', value: (r) => (r.first ? link(hrefOf('stock', r.line.sku), r.line.sku) : '') },
    { label: 'Ordered', numeric: true, value: (r) => (r.first ? num(r.line.quantity) : '') },
    { label: 'Backordered', numeric: true, value: (r) => (r.first ? num(r.line.backordered ?? 0) : '') },
    { label: 'Warehouse', value: (r) => (r.allocation?.warehouseId !== undefined ? labels.get(r.allocation.warehouseId) : '–') },
    { label: 'Location', value: (r) => (r.allocation ? (r.allocation.location ?? `#${r.allocation.locationId}`) : 'nothing allocated') },
    { label: 'Allocated', numeric: true, value: (r) => a(r, 'quantity') },
    { label: 'Still reserved', numeric: true, value: (r) => a(r, 'reserved') },
    { label: 'Shipped', numeric: true, value: (r) => a(r, 'shipped') },
    { label: 'Released', numeric: true, value: (r) => a(r, 'released') },
  ];
  return simpleTable(rows, columns);
}
