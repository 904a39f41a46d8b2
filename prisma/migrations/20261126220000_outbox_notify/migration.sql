-- Wakes the outbox relay as soon as outbox rows are committed, whichever
-- instance wrote them: the relay leader LISTENs on this channel. NOTIFY is
-- transactional (delivered at commit, dropped on rollback) and folds the
-- notifications of one transaction into one. Prisma's schema does not model
-- triggers, so this lives here only.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('inventory_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_event_notify AFTER INSERT ON outbox_event
  FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
