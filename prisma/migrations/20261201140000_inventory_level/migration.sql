-- The last InventoryLevelChanged staged per (product, warehouse): its version
-- and the figures it carried. Written in the same transaction as every change
-- of those figures (src/db/level-changes.ts), under this row's lock, so the
-- version of a key only ever rises, in commit order, on every instance.
-- The figures are sums over a warehouse's rows: BIGINT (more than 2^31 units of
-- one product in a warehouse is possible over several rows).
CREATE TABLE "inventory_level" (
    "product_id" INTEGER NOT NULL,
    "warehouse_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "on_hand" BIGINT NOT NULL,
    "reserved" BIGINT NOT NULL,
    "backordered" BIGINT NOT NULL,
    "incoming" BIGINT NOT NULL,
    "reorder_point" INTEGER NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inventory_level_pkey" PRIMARY KEY ("product_id","warehouse_id")
);

ALTER TABLE "inventory_level" ADD CONSTRAINT "inventory_level_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "inventory_level" ADD CONSTRAINT "inventory_level_warehouse_id_fkey" FOREIGN KEY ("warehouse_id") REFERENCES "warehouse"("warehouse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-added: what Prisma's schema cannot say.
ALTER TABLE "inventory_level" ADD CONSTRAINT "inventory_level_version_positive" CHECK ("version" > 0);
ALTER TABLE "inventory_level" ADD CONSTRAINT "inventory_level_figures_non_negative"
    CHECK ("on_hand" >= 0 AND "reserved" >= 0 AND "backordered" >= 0 AND "incoming" >= 0);
