-- A dead letter is known by its place in Kafka AND by what the message was: a
-- topic deleted and created again starts its offsets over, and a new message
-- at an offset an old one had must still be dead-lettered. message_digest is
-- sha256 over the message's timestamp, key and value (consumers/dead-letter.ts);
-- rows from before this migration have '' and never match a new message.
ALTER TABLE "dead_letter" ADD COLUMN "message_digest" VARCHAR(64) NOT NULL DEFAULT '';
DROP INDEX "dead_letter_topic_partition_offset_key";
CREATE UNIQUE INDEX "dead_letter_topic_partition_offset_message_digest_key" ON "dead_letter"("topic", "partition", "offset", "message_digest");

-- Parking (code PARKED): an event that failed with a non-transient error on
-- every attempt, or one held back behind such an event of the same key. The
-- key (parked_key: the message key as text) says which later events wait
-- behind it; resolved_at is set when the
-- event is applied after all (a replay or a copy published again, after a fix).
ALTER TABLE "dead_letter" ADD COLUMN "parked_key" VARCHAR(1000);
ALTER TABLE "dead_letter" ADD COLUMN "resolved_at" TIMESTAMPTZ(3);
CREATE INDEX "dead_letter_parked_key" ON "dead_letter"("topic", "parked_key") WHERE "error_code" = 'PARKED' AND "resolved_at" IS NULL;
CREATE INDEX "dead_letter_parked_event" ON "dead_letter"("event_id") WHERE "error_code" = 'PARKED' AND "resolved_at" IS NULL;
