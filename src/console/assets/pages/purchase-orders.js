// Purchase orders: the list (by status and warehouse) and one PO with its
// lines, ordered and received, and its receipts.
import { api, seg } from '../api.js';
import { badge, filterForm, h, link, num, pagedTable, section, simpleTable, when } from '../ui.js';
import { go, hrefOf } from '../router.js';
import { warehouseLabel, warehouseOptions, warehouseText } from '../warehouses.js';

const STATUSES = ['DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED'];

export async function purchaseOrdersPage(route) {
  if (route.id) return purchaseOrderView(route.id);
  const filters = { status: route.params.status ?? '', warehouseId: route.params.warehouseId ?? '' };
  const warehouses = await warehouseOptions();
  return h(
    'div',
    {},
    h('h1', {}, 'Purchase orders'),
    filterForm(
      [
        { name: 'status', label: 'Status', options: [['', 'any'], ...STATUSES.map((s) => [s, s.toLowerCase()])] },
        warehouses.length
          ? { name: 'warehouseId', label: 'Warehouse', options: [['', 'any'], ...warehouses] }
          : { name: 'warehouseId', label: 'Warehouse id', inputmode: 'numeric', placeholder: 'any' },
      ],
      filters,
      (values) => go('purchase-orders', null, values),
    ),
    h(
      'section',
      { class: 'card' },
      pagedTable({
        load: (page) => api.get('/v1/purchase-orders', { ...filters, ...page }),
        empty: 'No purchase order matches.',
        columns: [
          { label: 'PO', value: (po) => link(hrefOf('purchase-orders', po.poId), `PO ${po.poId}`) },
          { label: 'Status', value: (po) => badge(po.status) },
          { label: 'Warehouse', value: (po) => warehouseText(po.warehouseId) },
          { label: 'Supplier', value: (po) => `#${po.supplierId}` },
          { label: 'Expected', value: (po) => po.expectedDate ?? '–' },
          { label: 'Lines', numeric: true, value: (po) => num(po.lines?.length) },
          { label: 'Ordered', numeric: true, value: (po) => num(sum(po.lines, 'ordered')) },
          { label: 'Received', numeric: true, value: (po) => num(sum(po.lines, 'received')) },
          { label: 'Created', value: (po) => when(po.createdAt) },
        ],
      }),
    ),
  );
}

const sum = (lines, key) => (lines ? lines.reduce((total, line) => total + (line[key] ?? 0), 0) : undefined);

async function purchaseOrderView(poId) {
  const po = await api.get(`/v1/purchase-orders/${seg(poId)}`);
  const facts = [
    ['Status', badge(po.status)],
    ['Warehouse', await warehouseLabel(po.warehouseId)],
    ['Supplier', `#${po.supplierId}`],
    ['Expected', po.expectedDate ?? '–'],
    ['Trigger', po.trigger ?? '–'],
    ['Created', when(po.createdAt)],
    po.updatedAt ? ['Last change', when(po.updatedAt)] : null,
  ].filter(Boolean);
  return h(
    'div',
    {},
    h('p', { class: 'crumbs' }, link(hrefOf('purchase-orders'), 'Purchase orders'), ' / ', `PO ${poId}`),
    h('h1', {}, `Purchase order ${poId} `, badge(po.status)),
    section(
      'Summary',
      h(
        'dl',
        { class: 'facts' },
        facts.map(([t, v]) => [h('dt', {}, t), h('dd', {}, v)]),
      ),
    ),
    section(
      'Lines',
      simpleTable(po.lines ?? [], [
        { label: 'SKU', value: (l) => link(hrefOf('stock', l.sku), l.sku) },
        { label: 'Ordered', numeric: true, value: (l) => num(l.ordered) },
        { label: 'Received', numeric: true, value: (l) => num(l.received) },
        { label: 'Still to come', numeric: true, value: (l) => num(Math.max(0, l.ordered - l.received)) },
        { label: 'Unit cost', numeric: true, value: (l) => l.unitCost ?? '–' },
      ]),
    ),
    section(
      'Receipts',
      pagedTable({
        load: (page) => api.get(`/v1/purchase-orders/${seg(poId)}/receipts`, page),
        empty: 'Nothing received yet.',
        columns: [
          { label: 'Receipt', value: (r) => r.receiptId },
          { label: 'Received', value: (r) => when(r.receivedAt) },
          { label: 'By', value: (r) => r.receivedBy ?? '–' },
          { label: 'Put away', value: (r) => (r.lines.length ? r.lines.map((l) => `${l.quantity} × ${l.sku} → ${l.location}`).join('; ') : '–') },
        ],
      }),
    ),
  );
}
