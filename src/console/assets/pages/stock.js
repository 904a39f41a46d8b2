// Stock: find a product by SKU or name; then its figures per warehouse, what
// purchase orders bring, its bins, its ledger and a chart of on hand.
import { api, seg } from '../api.js';
import { badge, filterForm, h, link, loading, num, pagedTable, problemBox, section, simpleTable, when } from '../ui.js';
import { go, hrefOf } from '../router.js';
import { onHandChart, onHandSeries } from '../chart.js';
import { warehouseLabel, warehouseText } from '../warehouses.js';

export async function stockPage(route) {
  if (route.id) return productView(route.id, route.params);
  const q = route.params.q ?? '';
  return h(
    'div',
    {},
    h('h1', {}, 'Stock'),
    filterForm([{ name: 'q', label: 'SKU or name', placeholder: 'e.g. HAMMER or claw' }], { q }, (values) => go('stock', null, values), 'Search'),
    q ? searchResults(q) : h('p', { class: 'muted' }, 'Type part of a SKU or of a product name.'),
  );
}

function searchResults(q) {
  return section(
    `Products matching “${q}”`,
    pagedTable({
      load: (page) => api.get('/v1/products', { q, ...page }),
      empty: 'No product matches.',
      columns: [
        { label: 'SKU', value: (p) => link(hrefOf('stock', p.sku), p.sku) },
        { label: 'Name', value: (p) => p.name },
        { label: 'Active', value: (p) => (p.isActive ? 'yes' : 'no (inactive)') },
      ],
    }),
  );
}

async function productView(sku, params) {
  const [availability, product, bins] = await Promise.all([
    api.get('/v1/availability', { sku }),
    api.get('/v1/products', { q: sku, limit: 10 }).then((r) => r.items.find((p) => p.sku === sku) ?? null),
    // One page of bins names the ledger's locations and fills its location filter.
    api.get(`/v1/products/${seg(sku)}/stock`, { limit: 500 }).then(
      (r) => r.items,
      () => [],
    ),
  ]);
  const locations = new Map(bins.map((b) => [b.locationId, b.location]));
  if (availability.unknown?.includes(sku)) {
    return h(
      'div',
      {},
      h('h1', {}, sku),
      h('p', { class: 'problem', role: 'alert' }, `There is no product with SKU ${sku}.`),
      link(hrefOf('stock'), '← Search'),
    );
  }
  const levels = availability.items ?? [];
  const onHand = levels.reduce((sum, level) => sum + level.onHand, 0);
  return h(
    'div',
    {},
    h('p', { class: 'crumbs' }, link(hrefOf('stock'), 'Stock'), ' / ', sku),
    h('h1', {}, sku, product ? h('span', { class: 'subtitle' }, ` ${product.name}`) : null, product && !product.isActive ? badge('INACTIVE') : null),
    section('Per warehouse', await levelsTable(levels)),
    section('Purchase orders bringing it', incomingTable(sku)),
    section('On hand over time', chartOf(sku, onHand)),
    section('Bins', binsTable(sku)),
    section('Ledger, newest first', ledgerOf(sku, params, locations)),
  );
}

async function levelsTable(levels) {
  if (!levels.length) return h('p', { class: 'muted' }, 'No stock and nothing incoming in any warehouse.');
  const labels = await Promise.all(levels.map((l) => warehouseLabel(l.warehouseId)));
  const column = (label, key) => ({ label, numeric: true, value: (l) => num(l[key]) });
  const columns = [
    { label: 'Warehouse', value: (l, i) => labels[i] },
    column('On hand', 'onHand'),
    column('Reserved', 'reserved'),
    column('Available', 'available'),
    column('Backordered', 'backordered'),
    column('Incoming', 'incoming'),
    { label: 'Status', value: (l) => badge(l.status) },
  ];
  return simpleTable(levels, columns);
}

function incomingTable(sku) {
  return pagedTable({
    load: (page) => api.get(`/v1/products/${seg(sku)}/incoming`, page),
    empty: 'No open purchase order has this product.',
    columns: [
      { label: 'PO', value: (l) => link(hrefOf('purchase-orders', l.poId), `PO ${l.poId}`) },
      { label: 'Warehouse', value: (l) => warehouseText(l.warehouseId) },
      { label: 'Status', value: (l) => [badge(l.status), l.status === 'DRAFT' ? h('span', { class: 'muted small' }, ' not yet incoming') : null] },
      { label: 'Expected', value: (l) => l.expectedDate ?? '–' },
      { label: 'Ordered', numeric: true, value: (l) => num(l.quantityOrdered) },
      { label: 'Received', numeric: true, value: (l) => num(l.quantityReceived) },
      { label: 'Still to come', numeric: true, value: (l) => num(l.quantityOpen) },
    ],
  });
}

function binsTable(sku) {
  return pagedTable({
    load: (page) => api.get(`/v1/products/${seg(sku)}/stock`, page).then((r) => (Array.isArray(r) ? { items: r, nextCursor: null } : r)),
    empty: 'This product is in no bin.',
    columns: [
      { label: 'Warehouse', value: (b) => warehouseText(b.warehouseId) },
      { label: 'Location', value: (b) => link(hrefOf('stock', sku, { locationId: b.locationId }), b.location) },
      {
        label: 'Type',
        value: (b) =>
          String(b.type ?? '–')
            .toLowerCase()
            .replace(/_/g, ' '),
      },
      { label: 'On hand', numeric: true, value: (b) => num(b.onHand) },
      { label: 'Reserved', numeric: true, value: (b) => num(b.reserved) },
      { label: 'Available', numeric: true, value: (b) => num(b.available) },
      { label: 'Last count', value: (b) => when(b.lastCountedAt) },
      { label: 'Last move', value: (b) => when(b.lastMovedAt) },
    ],
  });
}

/** One API page of at most 500 ledger rows: the chart shows recent history without loading it all. */
function chartOf(sku, onHand) {
  const box = h('div', {}, loading());
  api.get('/v1/ledger', { sku, limit: 500 }).then(
    (page) => {
      const rows = page.items ?? [];
      const chart = onHandChart(onHandSeries(onHand, rows), {
        label: `${sku}: on hand, all warehouses, over the last ${rows.length} ledger rows${page.nextCursor ? ' (older rows not drawn)' : ''}`,
      });
      box.replaceChildren(chart ?? h('p', { class: 'muted' }, 'No movements yet.'));
    },
    (error) => box.replaceChildren(problemBox(error)),
  );
  return box;
}

function ledgerOf(sku, params, locations) {
  const filters = { locationId: params.locationId ?? '', referenceId: params.referenceId ?? '' };
  const locationField = locations.size
    ? { name: 'locationId', label: 'Location', options: [['', 'any'], ...[...locations].map(([id, name]) => [String(id), `${name} (#${id})`])] }
    : { name: 'locationId', label: 'Location id', inputmode: 'numeric', placeholder: 'any' };
  return h(
    'div',
    {},
    filterForm([locationField, { name: 'referenceId', label: 'Reference (order id, PO id …)', placeholder: 'any' }], filters, (values) =>
      go('stock', sku, values),
    ),
    ledgerTable({ sku, ...filters }, locations),
  );
}

/** Ledger rows, newest first; shared with the order page. */
export function ledgerTable(filter, locations = new Map()) {
  return pagedTable({
    load: (page) => api.get('/v1/ledger', { ...filter, ...page }),
    empty: 'No ledger rows.',
    columns: [
      { label: 'When', value: (r) => when(r.createdAt) },
      { label: 'Type', value: (r) => r.type },
      ...(filter.sku ? [] : [{ label: 'SKU', value: (r) => link(hrefOf('stock', r.sku), r.sku) }]),
      {
        label: 'Location',
        value: (r) => (locations.has(r.locationId) ? locations.get(r.locationId) : [warehouseText(r.warehouseId), ` · location #${r.locationId}`]),
      },
      { label: 'Quantity', numeric: true, value: (r) => (r.quantity > 0 ? `+${num(r.quantity)}` : num(r.quantity)) },
      { label: 'Reference', value: (r) => referenceLink(r) },
      { label: 'By', value: (r) => r.performedBy ?? '' },
    ],
  });
}

function referenceLink(row) {
  if (!row.referenceId) return '–';
  const type = row.referenceType ?? '';
  const text = `${type.toLowerCase().replace(/_/g, ' ')} ${row.referenceId}`.trim();
  if (type === 'ORDER') return link(hrefOf('orders', row.referenceId), text);
  if (type === 'PURCHASE_ORDER') return link(hrefOf('purchase-orders', row.referenceId), text);
  return text;
}
