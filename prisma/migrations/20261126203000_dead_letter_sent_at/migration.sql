-- A dead letter is recorded before it is sent (in the transaction that refused
-- the event), and marked sent afterwards: a crash in between sends it on the
-- next delivery instead of losing it.
ALTER TABLE "dead_letter" ADD COLUMN "sent_at" TIMESTAMPTZ(3);
UPDATE "dead_letter" SET "sent_at" = "created_at";
