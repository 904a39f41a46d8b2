-- Exactly once on the wire: the relay leader publishes dead letters too, in
-- the same Kafka transactions as outbox rows, so a dead letter now keeps the
-- message it is about (key, value, headers) instead of the consumer sending
-- it from memory. Rows recorded before this migration have no content
-- (message_headers null): the consumer fills it in when the message is
-- delivered again, and the relay publishes only rows that have it.
-- message_headers: { "<name>": ["<base64 value>", ...] } (header values are
-- bytes and a name may repeat). IF NOT EXISTS: the dead-letter console keeps
-- the same three columns for showing and redriving a dead letter.
ALTER TABLE "dead_letter"
  ADD COLUMN IF NOT EXISTS "message_key" BYTEA,
  ADD COLUMN IF NOT EXISTS "message_value" BYTEA,
  ADD COLUMN IF NOT EXISTS "message_headers" JSONB,
  ADD COLUMN "relay_parked_at" TIMESTAMPTZ(3),
  ADD COLUMN "relay_parked_reason" VARCHAR(1000);

-- A row the broker refuses even alone (larger than the topic's
-- max.message.bytes) is parked: left unpublished, counted and logged, so the
-- rows behind it keep flowing.
ALTER TABLE "outbox_event"
  ADD COLUMN "parked_at" TIMESTAMPTZ(3),
  ADD COLUMN "parked_reason" VARCHAR(1000);

DROP INDEX "outbox_event_unpublished";
CREATE INDEX "outbox_event_unpublished" ON "outbox_event" ("outbox_id") WHERE "published_at" IS NULL AND "parked_at" IS NULL;
CREATE INDEX "dead_letter_unsent" ON "dead_letter" ("dead_letter_id") WHERE "sent_at" IS NULL AND "relay_parked_at" IS NULL;

-- The relay leader LISTENs on one channel: a new dead letter wakes it like a new outbox row.
CREATE TRIGGER dead_letter_notify AFTER INSERT ON dead_letter
  FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
