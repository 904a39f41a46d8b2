// Warehouse codes for display: the API names warehouses by id; people by code.
import { api } from './api.js';
import { h } from './ui.js';

let all = null;

/** 'BER1 (#1)' when the warehouse list answers, else '#1'. */
export async function warehouseLabel(id) {
  try {
    all ??= api.get('/v1/warehouses', { limit: 500 }).then((r) => new Map((r.items ?? []).map((w) => [w.warehouseId, w])));
    const warehouse = (await all).get(id);
    return warehouse ? `${warehouse.code} (#${id})` : `#${id}`;
  } catch {
    all = null;
    return `#${id}`;
  }
}

export async function warehouseOptions() {
  try {
    all ??= api.get('/v1/warehouses', { limit: 500 }).then((r) => new Map((r.items ?? []).map((w) => [w.warehouseId, w])));
    return [...(await all).values()].map((w) => [String(w.warehouseId), `${w.code} – ${w.name}`]);
  } catch {
    all = null;
    return [];
  }
}

export function forgetWarehouses() {
  all = null;
}

/** A span that shows '#1' at once and the code when the list has answered. */
export function warehouseText(id) {
  const span = h('span', {}, `#${id}`);
  warehouseLabel(id).then((label) => span.replaceChildren(label));
  return span;
}
