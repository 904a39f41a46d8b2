import type { Tx } from './types';

/** Which of these warehouse ids exist (in no particular order). */
export async function existingWarehouseIds(tx: Tx, warehouseIds: readonly number[]): Promise<number[]> {
  const rows = await tx.warehouse.findMany({ where: { warehouseId: { in: [...warehouseIds] } }, select: { warehouseId: true } });
  return rows.map((w) => w.warehouseId);
}
