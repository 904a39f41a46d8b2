-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "location_type" AS ENUM ('BULK', 'PICK_FACE', 'OVERFLOW');

-- CreateEnum
CREATE TYPE "txn_type" AS ENUM ('RECEIVE', 'SHIP', 'ADJUST', 'TRANSFER', 'RESERVE', 'RELEASE');

-- CreateEnum
CREATE TYPE "purchase_order_status" AS ENUM ('DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "reservation_status" AS ENUM ('OPEN', 'FULFILLED', 'RELEASED');

-- CreateTable
CREATE TABLE "category" (
    "category_id" SERIAL NOT NULL,
    "code" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,

    CONSTRAINT "category_pkey" PRIMARY KEY ("category_id")
);

-- CreateTable
CREATE TABLE "supplier" (
    "supplier_id" SERIAL NOT NULL,
    "code" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,

    CONSTRAINT "supplier_pkey" PRIMARY KEY ("supplier_id")
);

-- CreateTable
CREATE TABLE "product" (
    "product_id" SERIAL NOT NULL,
    "sku" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "category_id" INTEGER,
    "supplier_id" INTEGER,
    "unit_cost" DECIMAL(12,2) NOT NULL,
    "unit_weight_grams" INTEGER NOT NULL,
    "dimensions" JSONB NOT NULL,
    "reorder_point" INTEGER NOT NULL DEFAULT 0,
    "reorder_quantity" INTEGER NOT NULL DEFAULT 0,
    "lead_time_days" INTEGER NOT NULL DEFAULT 0,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "auto_replenish" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_pkey" PRIMARY KEY ("product_id")
);

-- CreateTable
CREATE TABLE "warehouse" (
    "warehouse_id" SERIAL NOT NULL,
    "code" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "address" VARCHAR(500),
    "timezone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "capacity_cubic_meters" DECIMAL(12,3),

    CONSTRAINT "warehouse_pkey" PRIMARY KEY ("warehouse_id")
);

-- CreateTable
CREATE TABLE "location" (
    "location_id" SERIAL NOT NULL,
    "warehouse_id" INTEGER NOT NULL,
    "aisle" VARCHAR(16) NOT NULL,
    "bay" VARCHAR(16) NOT NULL,
    "level" VARCHAR(16) NOT NULL,
    "bin" VARCHAR(16) NOT NULL,
    "type" "location_type" NOT NULL,
    "max_weight_kg" DECIMAL(12,3) NOT NULL,
    "max_volume_cubic_cm" INTEGER NOT NULL,

    CONSTRAINT "location_pkey" PRIMARY KEY ("location_id")
);

-- CreateTable
CREATE TABLE "inventory" (
    "inventory_id" SERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "location_id" INTEGER NOT NULL,
    "quantity_on_hand" INTEGER NOT NULL DEFAULT 0,
    "quantity_reserved" INTEGER NOT NULL DEFAULT 0,
    "quantity_available" INTEGER NOT NULL GENERATED ALWAYS AS ("quantity_on_hand" - "quantity_reserved") STORED,
    "last_counted_at" TIMESTAMPTZ(3),
    "last_moved_at" TIMESTAMPTZ(3),

    CONSTRAINT "inventory_pkey" PRIMARY KEY ("inventory_id")
);

-- CreateTable
CREATE TABLE "inventory_transaction" (
    "txn_id" BIGSERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "location_id" INTEGER NOT NULL,
    "txn_type" "txn_type" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reference_id" VARCHAR(64),
    "reference_type" VARCHAR(32),
    "performed_by" VARCHAR(128),
    "event_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_transaction_pkey" PRIMARY KEY ("txn_id")
);

-- CreateTable
CREATE TABLE "purchase_order" (
    "po_id" SERIAL NOT NULL,
    "supplier_id" INTEGER NOT NULL,
    "warehouse_id" INTEGER NOT NULL,
    "status" "purchase_order_status" NOT NULL DEFAULT 'DRAFT',
    "expected_date" DATE,
    "trigger" VARCHAR(32),
    "replenish_product_id" INTEGER,
    "causation_event_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "purchase_order_pkey" PRIMARY KEY ("po_id")
);

-- CreateTable
CREATE TABLE "purchase_order_line" (
    "po_line_id" SERIAL NOT NULL,
    "po_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "quantity_ordered" INTEGER NOT NULL,
    "quantity_received" INTEGER NOT NULL DEFAULT 0,
    "unit_cost" DECIMAL(12,2) NOT NULL,

    CONSTRAINT "purchase_order_line_pkey" PRIMARY KEY ("po_line_id")
);

-- CreateTable
CREATE TABLE "goods_receipt" (
    "receipt_id" VARCHAR(64) NOT NULL,
    "po_id" INTEGER NOT NULL,
    "event_id" UUID NOT NULL,
    "received_by" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "goods_receipt_pkey" PRIMARY KEY ("receipt_id")
);

-- CreateTable
CREATE TABLE "reservation" (
    "reservation_id" SERIAL NOT NULL,
    "order_id" VARCHAR(64) NOT NULL,
    "warehouse_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "location_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "quantity_shipped" INTEGER NOT NULL DEFAULT 0,
    "quantity_released" INTEGER NOT NULL DEFAULT 0,
    "status" "reservation_status" NOT NULL DEFAULT 'OPEN',
    "event_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservation_pkey" PRIMARY KEY ("reservation_id")
);

-- CreateTable
CREATE TABLE "processed_event" (
    "event_id" UUID NOT NULL,
    "event_type" VARCHAR(64) NOT NULL,
    "topic" VARCHAR(249) NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "outcome" VARCHAR(64) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "outbox_id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "event_type" VARCHAR(64) NOT NULL,
    "topic" VARCHAR(249) NOT NULL,
    "message_key" VARCHAR(128) NOT NULL,
    "envelope" JSONB NOT NULL,
    "headers" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("outbox_id")
);

-- CreateTable
CREATE TABLE "dead_letter" (
    "dead_letter_id" BIGSERIAL NOT NULL,
    "topic" VARCHAR(249) NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "event_id" VARCHAR(64),
    "event_type" VARCHAR(64),
    "error_code" VARCHAR(64) NOT NULL,
    "error_message" VARCHAR(1000) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_pkey" PRIMARY KEY ("dead_letter_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dead_letter_topic_partition_offset_key" ON "dead_letter"("topic", "partition", "offset");

-- CreateIndex
CREATE UNIQUE INDEX "category_code_key" ON "category"("code");

-- CreateIndex
CREATE UNIQUE INDEX "supplier_code_key" ON "supplier"("code");

-- CreateIndex
CREATE UNIQUE INDEX "product_sku_key" ON "product"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "warehouse_code_key" ON "warehouse"("code");

-- CreateIndex
CREATE UNIQUE INDEX "location_warehouse_id_aisle_bay_level_bin_key" ON "location"("warehouse_id", "aisle", "bay", "level", "bin");

-- CreateIndex
CREATE INDEX "inventory_location_id_idx" ON "inventory"("location_id");

-- CreateIndex
CREATE UNIQUE INDEX "inventory_product_id_location_id_key" ON "inventory"("product_id", "location_id");

-- CreateIndex
CREATE INDEX "inventory_transaction_product_id_location_id_idx" ON "inventory_transaction"("product_id", "location_id");

-- CreateIndex
CREATE INDEX "inventory_transaction_txn_type_created_at_idx" ON "inventory_transaction"("txn_type", "created_at");

-- CreateIndex
CREATE INDEX "inventory_transaction_reference_type_reference_id_idx" ON "inventory_transaction"("reference_type", "reference_id");

-- CreateIndex
CREATE INDEX "purchase_order_warehouse_id_status_idx" ON "purchase_order"("warehouse_id", "status");

-- CreateIndex
CREATE INDEX "purchase_order_line_product_id_idx" ON "purchase_order_line"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "purchase_order_line_po_id_product_id_key" ON "purchase_order_line"("po_id", "product_id");

-- CreateIndex
CREATE INDEX "goods_receipt_po_id_idx" ON "goods_receipt"("po_id");

-- CreateIndex
CREATE INDEX "reservation_product_id_location_id_status_idx" ON "reservation"("product_id", "location_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "reservation_order_id_product_id_location_id_key" ON "reservation"("order_id", "product_id", "location_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_event_id_key" ON "outbox_event"("event_id");

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "category"("category_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "supplier"("supplier_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "location" ADD CONSTRAINT "location_warehouse_id_fkey" FOREIGN KEY ("warehouse_id") REFERENCES "warehouse"("warehouse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "location"("location_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_transaction" ADD CONSTRAINT "inventory_transaction_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_transaction" ADD CONSTRAINT "inventory_transaction_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "location"("location_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchase_order" ADD CONSTRAINT "purchase_order_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "supplier"("supplier_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchase_order" ADD CONSTRAINT "purchase_order_warehouse_id_fkey" FOREIGN KEY ("warehouse_id") REFERENCES "warehouse"("warehouse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchase_order" ADD CONSTRAINT "purchase_order_replenish_product_id_fkey" FOREIGN KEY ("replenish_product_id") REFERENCES "product"("product_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchase_order_line" ADD CONSTRAINT "purchase_order_line_po_id_fkey" FOREIGN KEY ("po_id") REFERENCES "purchase_order"("po_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchase_order_line" ADD CONSTRAINT "purchase_order_line_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "goods_receipt" ADD CONSTRAINT "goods_receipt_po_id_fkey" FOREIGN KEY ("po_id") REFERENCES "purchase_order"("po_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation" ADD CONSTRAINT "reservation_warehouse_id_fkey" FOREIGN KEY ("warehouse_id") REFERENCES "warehouse"("warehouse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation" ADD CONSTRAINT "reservation_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("product_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation" ADD CONSTRAINT "reservation_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "location"("location_id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-added: what Prisma's schema language cannot say.

-- The database itself refuses impossible stock, whatever code path writes it.
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_on_hand_non_negative" CHECK ("quantity_on_hand" >= 0);
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_reserved_non_negative" CHECK ("quantity_reserved" >= 0);
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_reserved_within_on_hand" CHECK ("quantity_reserved" <= "quantity_on_hand");

ALTER TABLE "reservation" ADD CONSTRAINT "reservation_quantities_valid"
  CHECK ("quantity" > 0 AND "quantity_shipped" >= 0 AND "quantity_released" >= 0
         AND "quantity_shipped" + "quantity_released" <= "quantity");

ALTER TABLE "purchase_order_line" ADD CONSTRAINT "purchase_order_line_quantities_valid"
  CHECK ("quantity_ordered" > 0 AND "quantity_received" >= 0);

ALTER TABLE "location" ADD CONSTRAINT "location_capacity_non_negative"
  CHECK ("max_weight_kg" >= 0 AND "max_volume_cubic_cm" >= 0);

ALTER TABLE "product" ADD CONSTRAINT "product_figures_non_negative"
  CHECK ("unit_cost" >= 0 AND "unit_weight_grams" >= 0 AND "reorder_point" >= 0
         AND "reorder_quantity" >= 0 AND "lead_time_days" >= 0);

-- Exactly one open replenishment purchase order per (product, warehouse), even
-- when two instances cross the reorder point at the same moment.
CREATE UNIQUE INDEX "purchase_order_one_open_replenishment"
  ON "purchase_order" ("replenish_product_id", "warehouse_id")
  WHERE "replenish_product_id" IS NOT NULL
    AND "status" IN ('DRAFT', 'SENT', 'CONFIRMED', 'PARTIAL');

-- The relay reads only what is still to publish.
CREATE INDEX "outbox_event_unpublished" ON "outbox_event" ("outbox_id") WHERE "published_at" IS NULL;

-- Open reservations of an order, for shipping and cancelling.
CREATE INDEX "reservation_open_by_order" ON "reservation" ("order_id") WHERE "status" = 'OPEN';
