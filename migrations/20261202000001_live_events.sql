-- Live events (issue #6).
--
-- 1. Committed outbox rows wake the dispatchers at once: a statement that inserts into the outbox sends
--    NOTIFY crm_outbox, which PostgreSQL delivers on commit only (a rolled-back change wakes nobody). The
--    dispatchers still poll every few seconds, so a lost notification only delays an event.
-- 2. Replay: a reconnecting client names the last event it saw (its seq = outbox.id); the events handled after
--    it, in the order they were published (handled_at, id), are sent again. Handled rows are kept for a day.
CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crm_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_wake AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake();

CREATE INDEX outbox_published_idx ON outbox (handled_at, id) WHERE handled_at IS NOT NULL;
