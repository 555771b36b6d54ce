-- The optional search engine (Meilisearch, `MEILI_URL`): what it must be told, queued in the transaction
-- that changed it, so a crash or an unreachable engine loses no change.
--
-- `search_sync_state` exists (one row) only while an engine is configured: the triggers below queue nothing
-- otherwise, so a deployment without one pays an EXISTS on a tiny table per write statement. The row says
-- which engine and index it describes, whether the index settings were applied, and how far the backfill of
-- existing rows has come (keyset on occurred_at, id); the engine answers searches only once the backfill
-- is done. The worker that drains the queue locks this row, so changes reach the engine in commit order
-- whatever the number of app nodes.
CREATE TABLE search_sync_state (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    target           text NOT NULL CHECK (target <> ''),
    settings_applied boolean NOT NULL DEFAULT false,
    backfill_at      timestamptz,
    backfill_id      uuid,
    backfilled_at    timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((backfill_at IS NULL) = (backfill_id IS NULL))
);

CREATE TABLE search_sync_queue (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity    text NOT NULL CHECK (entity IN ('interaction', 'customer')),
    entity_id uuid NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now()
);

-- Statement-level with transition tables: one INSERT … SELECT per statement, also for COPY and bulk writes.
CREATE FUNCTION search_sync_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM search_sync_state) THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO search_sync_queue (entity, entity_id) SELECT 'interaction', id FROM previous;
        ELSE
            INSERT INTO search_sync_queue (entity, entity_id) SELECT 'interaction', id FROM changed;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER interactions_search_sync_insert AFTER INSERT ON interactions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_sync_interactions();
CREATE TRIGGER interactions_search_sync_update AFTER UPDATE ON interactions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_sync_interactions();
CREATE TRIGGER interactions_search_sync_delete AFTER DELETE ON interactions
    REFERENCING OLD TABLE AS previous FOR EACH STATEMENT EXECUTE FUNCTION search_sync_interactions();

-- Who may see an interaction follows its customer's owner: a new owner re-labels the customer's documents.
CREATE FUNCTION search_sync_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM search_sync_state) THEN
        INSERT INTO search_sync_queue (entity, entity_id)
        SELECT 'customer', n.id FROM changed n JOIN previous o ON o.id = n.id
        WHERE o.owner_id IS DISTINCT FROM n.owner_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customers_search_sync_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_sync_customers();
