-- GIN pending lists, one rule for every GIN index (migration 20261204000002 covered only the full-text
-- indexes of customers and interactions).
--
-- With fast update on, new entries wait in a pending list of up to gin_pending_list_limit (4 MB) that every
-- read through the index scans in full, and the insert that finds the list full merges it inside its own
-- statement. At 2M customers the "create" line of scripts/bench.sh stalled single inserts for 45–600 ms
-- (p99 108–287 ms at 4 connections, p50 3.3 ms) merging the list of customers' name trigrams.
--
-- * Trigram indexes keep a small list (128 kB, ~350 names): a name has ~20–35 trigrams, which cost an insert
--   0.37 ms more added one by one (fastupdate off: the 80/20 read/write mix at 4 connections fell from
--   3,331 to ~2,770 req/s) and a fraction of that merged in bulk. A merge then takes a few milliseconds
--   (create p99 18 ms at 4 connections) and a read scans at most 16 pending pages.
-- * Every other GIN index (full text, tags) keeps none: searches read them on every request.
--
-- `crm_gin_fast_update(true)` turns fast update on everywhere, with the default list size, for a bulk load
-- (`crm-ims seed`); `crm_gin_fast_update(false)` restores the rule and merges what is pending.
CREATE FUNCTION crm_gin_fast_update(bulk boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    idx      regclass;
    trigrams boolean;
BEGIN
    -- A partitioned index takes no storage parameters: its partitions' indexes are set instead.
    FOR idx, trigrams IN
        SELECT c.oid::regclass,
               EXISTS (SELECT 1 FROM pg_opclass o WHERE o.oid = ANY (i.indclass::oid[]) AND o.opcname = 'gin_trgm_ops')
        FROM pg_class c
        JOIN pg_am a ON a.oid = c.relam
        JOIN pg_index i ON i.indexrelid = c.oid
        WHERE a.amname = 'gin' AND c.relkind = 'i' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        IF bulk THEN
            EXECUTE format('ALTER INDEX %s SET (fastupdate = on)', idx);
            EXECUTE format('ALTER INDEX %s RESET (gin_pending_list_limit)', idx);
        ELSIF trigrams THEN
            EXECUTE format('ALTER INDEX %s SET (fastupdate = on, gin_pending_list_limit = 128)', idx);
            PERFORM gin_clean_pending_list(idx);
        ELSE
            EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', idx);
            EXECUTE format('ALTER INDEX %s RESET (gin_pending_list_limit)', idx);
            PERFORM gin_clean_pending_list(idx);
        END IF;
    END LOOP;
END $$;

SELECT crm_gin_fast_update(false);
