-- Dead letters for people: the refused message itself is kept with its record
-- (key, value and headers, as Kafka delivered them) so that it can be shown
-- and redriven without reading the dead-letter topic. Rows recorded before
-- this migration have NULL message_headers and cannot be redriven.
ALTER TABLE "dead_letter" ADD COLUMN "message_key" BYTEA;
ALTER TABLE "dead_letter" ADD COLUMN "message_value" BYTEA;
-- { "<header name>": ["<base64 value>", ...] }: Kafka header values are bytes and a name may repeat.
ALTER TABLE "dead_letter" ADD COLUMN "message_headers" JSONB;
-- A redrive: asked for (before the message is sent, so the consumer that sees
-- it can tell a real redrive from a copied header), sent, and taken up by the
-- consumer (once: a second delivery of the redriven message is a duplicate).
ALTER TABLE "dead_letter" ADD COLUMN "redrive_requested_at" TIMESTAMPTZ(3);
ALTER TABLE "dead_letter" ADD COLUMN "redriven_at" TIMESTAMPTZ(3);
ALTER TABLE "dead_letter" ADD COLUMN "redrive_consumed_at" TIMESTAMPTZ(3);
ALTER TABLE "dead_letter" ADD CONSTRAINT "dead_letter_redrive_order" CHECK (
  ("redriven_at" IS NULL OR "redrive_requested_at" IS NOT NULL) AND ("redrive_consumed_at" IS NULL OR "redrive_requested_at" IS NOT NULL));

-- GET /v1/dead-letters?code= lists newest first within a code.
CREATE INDEX "dead_letter_error_code_dead_letter_id_idx" ON "dead_letter"("error_code", "dead_letter_id");

-- GET /v1/ledger?referenceId= (an order's or a PO's ledger rows) without scanning the ledger.
CREATE INDEX "inventory_transaction_reference_id_idx" ON "inventory_transaction"("reference_id");
