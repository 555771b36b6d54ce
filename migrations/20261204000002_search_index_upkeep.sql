-- Full-text search that stays fast while rows are written, and statistics that can tell a rare word.
--
-- 1. GIN's fast update keeps new entries in a pending list (up to gin_pending_list_limit, 4 MB) that every
--    search reads in full until a vacuum or a full list merges it: after ~18,000 new customers the phone
--    search at 2M customers spent 14.6 ms scanning 477 pending pages for a 496-row answer (docs/benchmarks.md),
--    and the insert that found the list full merged it (a 0.4 s create). With fastupdate off each insert
--    updates the index itself, a few entries per row.
-- 2. The lexeme statistics of `search` at the default target (100) list only lexemes on more than ~4 % of
--    customers (6 % of interactions): a phone group on 0.02 % of rows and a word on 2 % looked alike, so
--    both the planner and `domain::search::before_walk` guessed 2 % for every unlisted term. A target of
--    1000 samples 300,000 rows and lists up to 10,000 lexemes.
ALTER INDEX customers_search_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('customers_search_idx');
ALTER TABLE customers ALTER COLUMN search SET STATISTICS 1000;

-- Partitions: a partitioned index takes no storage parameters and a partition keeps its own statistics
-- target, so each partition is set, and so is every partition created from now on.
CREATE FUNCTION crm_tune_interaction_partition(part regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    idx regclass;
BEGIN
    EXECUTE format('ALTER TABLE %s ALTER COLUMN search SET STATISTICS 1000', part);
    FOR idx IN
        SELECT i.indexrelid::regclass FROM pg_index i JOIN pg_am a ON a.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
        WHERE i.indrelid = part AND a.amname = 'gin'
    LOOP
        EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', idx);
        PERFORM gin_clean_pending_list(idx);
    END LOOP;
END $$;

SELECT crm_tune_interaction_partition(h.inhrelid::regclass)
FROM pg_inherits h WHERE h.inhparent = 'interactions'::regclass;

CREATE OR REPLACE FUNCTION crm_ensure_interaction_partition(month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    lo   date := date_trunc('month', month)::date;
    hi   date := (date_trunc('month', month) + interval '1 month')::date;
    part text := format('interactions_p%s', to_char(lo, 'YYYY_MM'));
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    -- Serialises concurrent creators (several app nodes start at once).
    PERFORM pg_advisory_xact_lock(hashtext('crm_ensure_interaction_partition'));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE interactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)', part);
    EXECUTE format('WITH moved AS (DELETE FROM interactions_default WHERE occurred_at >= %L AND occurred_at < %L
                    RETURNING id, customer_id, contact_id, opportunity_id, ticket_id, kind, subject, body, occurred_at,
                              duration_minutes, participants, author_id, version, created_at, updated_at)
                    INSERT INTO %I (id, customer_id, contact_id, opportunity_id, ticket_id, kind, subject, body,
                                    occurred_at, duration_minutes, participants, author_id, version, created_at,
                                    updated_at)
                    SELECT * FROM moved', lo, hi, part);
    EXECUTE format('ALTER TABLE interactions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    PERFORM crm_tune_interaction_partition(part::regclass);
    RETURN true;
END $$;
