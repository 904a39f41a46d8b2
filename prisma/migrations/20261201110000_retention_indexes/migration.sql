-- Indexes the retention job (src/db/retention.ts) prunes by. processed_at and
-- created_at only grow, so each index is appended at its right edge (cheap next
-- to the inbox's random-UUID primary key) and neither column is ever updated,
-- so the updates of outcome / sent_at stay HOT. The outbox needs none: it is
-- pruned from its oldest outbox_id on, through the primary key.
-- IF NOT EXISTS: on a large existing inbox an operator may build them first with
-- CREATE INDEX CONCURRENTLY under these names (this migration runs in a
-- transaction, where CONCURRENTLY is not allowed, and would lock out writes
-- for as long as the build takes).
CREATE INDEX IF NOT EXISTS "processed_event_processed_at_idx" ON "processed_event" ("processed_at");
CREATE INDEX IF NOT EXISTS "dead_letter_created_at_idx" ON "dead_letter" ("created_at");
