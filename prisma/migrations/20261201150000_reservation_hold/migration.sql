-- Holds that expire (contract v2, OrderPlaced.holdUntil): one row per order
-- placed with a deadline. The row is also the order's lock: OrderShipped,
-- OrderCancelled, OrderConfirmed and the expiry sweeper all lock it (FOR
-- UPDATE) before the order's reservation rows, so a hold is never both shipped
-- and released. Orders placed without holdUntil have no row (firm, as in v1).
CREATE TYPE "hold_status" AS ENUM ('HELD', 'CONFIRMED', 'SHIPPED', 'CANCELLED', 'EXPIRED');

CREATE TABLE "reservation_hold" (
    "order_id" VARCHAR(64) NOT NULL,
    "hold_until" TIMESTAMPTZ(3) NOT NULL,
    "status" "hold_status" NOT NULL DEFAULT 'HELD',
    "event_id" UUID NOT NULL,
    "correlation_id" VARCHAR(128),
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservation_hold_pkey" PRIMARY KEY ("order_id")
);

-- Hand-added: a hold that is no longer HELD says when it ended, and only then.
ALTER TABLE "reservation_hold" ADD CONSTRAINT "reservation_hold_ended_at_check"
    CHECK (("status" = 'HELD') = ("ended_at" IS NULL));

-- Hand-added: the sweeper's question ("which holds are due?") reads only open holds.
CREATE INDEX "reservation_hold_due_idx" ON "reservation_hold" ("hold_until", "order_id") WHERE "status" = 'HELD';
