-- Backorders (contract version 2): products that may be backordered, the
-- options an order was placed with, and the backordered part of order lines.

-- AlterTable
ALTER TABLE "product" ADD COLUMN "allow_backorder" BOOLEAN NOT NULL DEFAULT false;

-- CreateEnum
CREATE TYPE "backorder_status" AS ENUM ('OPEN', 'FILLED', 'CANCELLED');

-- CreateTable
CREATE TABLE "order_option" (
    "order_id" VARCHAR(64) NOT NULL,
    "sourcing" VARCHAR(32),
    "backorder" VARCHAR(16),
    "event_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_option_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "backorder" (
    "backorder_id" SERIAL NOT NULL,
    "order_id" VARCHAR(64) NOT NULL,
    "warehouse_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "line_quantity" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "quantity_allocated" INTEGER NOT NULL DEFAULT 0,
    "quantity_cancelled" INTEGER NOT NULL DEFAULT 0,
    "status" "backorder_status" NOT NULL DEFAULT 'OPEN',
    "event_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backorder_pkey" PRIMARY KEY ("backorder_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "backorder_order_id_product_id_key" ON "backorder"("order_id", "product_id");

-- AddForeignKey
ALTER TABLE "backorder" ADD CONSTRAINT "backorder_warehouse_id_fkey" FOREIGN KEY ("warehouse_id") REFERENCES "warehouse"("warehouse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backorder" ADD CONSTRAINT "backorder_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: what Prisma's schema cannot say.
-- Never negative, never more than the line ordered, and the status follows the figures.
ALTER TABLE "backorder"
  ADD CONSTRAINT "backorder_quantity_positive" CHECK ("quantity" > 0),
  ADD CONSTRAINT "backorder_within_line" CHECK ("quantity" <= "line_quantity"),
  ADD CONSTRAINT "backorder_counters_non_negative" CHECK ("quantity_allocated" >= 0 AND "quantity_cancelled" >= 0),
  ADD CONSTRAINT "backorder_counters_within_quantity" CHECK ("quantity_allocated" + "quantity_cancelled" <= "quantity"),
  ADD CONSTRAINT "backorder_open_status" CHECK (("status" = 'OPEN') = ("quantity_allocated" + "quantity_cancelled" < "quantity"));

-- The fill's queue: open backorders of a product in a warehouse, oldest first.
CREATE INDEX "backorder_open_queue" ON "backorder" ("product_id", "warehouse_id", "backorder_id") WHERE "status" = 'OPEN';

ALTER TABLE "order_option"
  ADD CONSTRAINT "order_option_sourcing_known" CHECK ("sourcing" IN ('SINGLE_WAREHOUSE', 'SPLIT')),
  ADD CONSTRAINT "order_option_backorder_known" CHECK ("backorder" IN ('NEVER', 'ALLOW'));
