-- Rollups of the sales-pipeline report (`GET /reports/sales-pipeline`), kept exact by triggers in the writing
-- transaction, so that the report sums a few hundred rows instead of aggregating 500k opportunities and 900k
-- history rows (0.7–0.9 s before). Every writer (services, bulk endpoints, `crm-ims seed`, psql) keeps them right.
--
-- * pipeline_stage_rollup: opportunities per owner × stage × currency × expected close month (NULL: no date)
--   with count, sum(amount) and sum(amount × probability) (numeric, exact: the report divides by 100 once, after
--   converting) — stage totals, forecast, win rate per owner.
-- * pipeline_history_rollup: per owner × close month × outcome ('won', 'lost' or 'open') × stage entered: how many
--   opportunities entered the stage (win rate per stage reads the closed ones) and the number and total seconds of
--   the completed stays in it (time in stage). These depend on both tables (the history rows and the current
--   owner/close date/stage of their opportunity), so the triggers do not add deltas — which would be wrong when
--   one statement writes both tables (the seed inserts opportunities and their history in one statement, and its
--   row triggers fire at its end) — but reconcile: pipeline_history_facts holds what each opportunity currently
--   contributes (one row per opportunity and stage entered); after a write the facts of the touched opportunities
--   are recomputed, and only the facts that changed are subtracted from / added to the rollup.
--
-- The triggers are statement-level with transition tables: a bulk insert of 50,000 rows upserts each rollup row
-- once (grouped), not 50,000 times. Emptied rollup rows stay at zero (the report skips n = 0; the key space is
-- small). Contention: writers that touch the same rollup row (same owner, stage, currency and month) serialise on
-- it until they commit — a few milliseconds per write in this app, where one owner rarely saves two opportunities
-- at once; acceptable here, and the price of exact numbers without a background job. One statement upserts in key
-- order, but a stage change is three statements, so two of them on the same owner and month at the same moment
-- can deadlock and PostgreSQL aborts one (40P01); rare enough here, and the caller may retry.
-- (No CHECK (n >= 0): an upsert checks the proposed row, which is a negative delta.)

-- The first day of the month of a date (on `timestamp`, not `timestamptz`: independent of the session time zone).
CREATE FUNCTION pipeline_month(d date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_trunc('month', d::timestamp)::date;

CREATE TABLE pipeline_stage_rollup (
    owner_id    uuid,
    stage       text NOT NULL,
    currency    char(3) NOT NULL,
    close_month date,
    n           bigint NOT NULL,
    amount      numeric NOT NULL,
    weighted    numeric NOT NULL,
    CONSTRAINT pipeline_stage_rollup_key UNIQUE NULLS NOT DISTINCT (owner_id, stage, currency, close_month)
);
-- The owner filters (a sales user's own rows, a team) read the unique index; the whole company reads it all.
CREATE INDEX pipeline_stage_rollup_month_idx ON pipeline_stage_rollup (close_month);

CREATE TABLE pipeline_history_facts (
    opportunity_id uuid NOT NULL,
    to_stage       text NOT NULL,
    owner_id       uuid,
    close_month    date,
    outcome        text NOT NULL,
    stays          bigint NOT NULL,
    secs           numeric NOT NULL,
    PRIMARY KEY (opportunity_id, to_stage)
);

CREATE TABLE pipeline_history_rollup (
    owner_id    uuid,
    close_month date,
    outcome     text NOT NULL CHECK (outcome IN ('won', 'lost', 'open')),
    to_stage    text NOT NULL,
    entered     bigint NOT NULL,
    stays       bigint NOT NULL,
    secs        numeric NOT NULL,
    CONSTRAINT pipeline_history_rollup_key UNIQUE NULLS NOT DISTINCT (owner_id, close_month, outcome, to_stage)
);

-- What the given opportunities contribute now: per stage entered, the completed stays and their seconds. Rows
-- that count for nothing (the current stay of an open opportunity) are left out, which keeps the facts small.
CREATE FUNCTION pipeline_history_current(ids uuid[])
RETURNS TABLE (opportunity_id uuid, to_stage text, owner_id uuid, close_month date, outcome text, stays bigint,
               secs numeric)
LANGUAGE sql STABLE AS $$
    SELECT o.id, h.to_stage, o.owner_id, pipeline_month(o.expected_close_date),
           CASE WHEN o.stage IN ('won', 'lost') THEN o.stage ELSE 'open' END,
           count(h.left_at), coalesce(sum(extract(epoch FROM h.left_at - h.changed_at)), 0)
    FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
    WHERE o.id = ANY (ids)
    GROUP BY o.id, h.to_stage
    HAVING o.stage IN ('won', 'lost') OR count(h.left_at) > 0
$$;

-- Brings the facts of `ids` (and the history rollup) up to date with the two tables.
CREATE FUNCTION pipeline_history_sync(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Facts that are no longer true leave the rollup…
    WITH cur AS MATERIALIZED (SELECT * FROM pipeline_history_current(ids)),
    gone AS (
        DELETE FROM pipeline_history_facts f
        WHERE f.opportunity_id = ANY (ids)
          AND NOT EXISTS (
              SELECT 1 FROM cur c
              WHERE c.opportunity_id = f.opportunity_id AND c.to_stage = f.to_stage
                AND c.owner_id IS NOT DISTINCT FROM f.owner_id AND c.close_month IS NOT DISTINCT FROM f.close_month
                AND c.outcome = f.outcome AND c.stays = f.stays AND c.secs = f.secs)
        RETURNING f.*
    )
    INSERT INTO pipeline_history_rollup AS r (owner_id, close_month, outcome, to_stage, entered, stays, secs)
    SELECT owner_id, close_month, outcome, to_stage, -count(*), -sum(stays), -sum(secs)
    FROM gone GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT pipeline_history_rollup_key DO UPDATE
        SET entered = r.entered + excluded.entered, stays = r.stays + excluded.stays, secs = r.secs + excluded.secs;
    -- …and the current ones that are not there yet join it (unchanged facts conflict and are skipped).
    WITH added AS (
        INSERT INTO pipeline_history_facts SELECT * FROM pipeline_history_current(ids)
        ON CONFLICT (opportunity_id, to_stage) DO NOTHING
        RETURNING *
    )
    INSERT INTO pipeline_history_rollup AS r (owner_id, close_month, outcome, to_stage, entered, stays, secs)
    SELECT owner_id, close_month, outcome, to_stage, count(*), sum(stays), sum(secs)
    FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT pipeline_history_rollup_key DO UPDATE
        SET entered = r.entered + excluded.entered, stays = r.stays + excluded.stays, secs = r.secs + excluded.secs;
END
$$;

-- Adds `sign` × the given opportunities (as rows of the opportunities table) to the stage rollup.
CREATE FUNCTION pipeline_opportunities_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One upsert per rollup row: the new rows count +1, the old ones −1, grouped (an update that moves nothing
    -- between keys nets to an amount change, or to nothing and is skipped).
    IF TG_OP = 'INSERT' THEN
        INSERT INTO pipeline_stage_rollup AS r (owner_id, stage, currency, close_month, n, amount, weighted)
        SELECT owner_id, stage, currency, pipeline_month(expected_close_date), count(*), sum(amount),
               sum(amount * probability)
        FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT pipeline_stage_rollup_key DO UPDATE
            SET n = r.n + excluded.n, amount = r.amount + excluded.amount, weighted = r.weighted + excluded.weighted;
        PERFORM pipeline_history_sync(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO pipeline_stage_rollup AS r (owner_id, stage, currency, close_month, n, amount, weighted)
        SELECT owner_id, stage, currency, pipeline_month(expected_close_date), -count(*), -sum(amount),
               -sum(amount * probability)
        FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT pipeline_stage_rollup_key DO UPDATE
            SET n = r.n + excluded.n, amount = r.amount + excluded.amount, weighted = r.weighted + excluded.weighted;
        PERFORM pipeline_history_sync(ARRAY(SELECT id FROM old_rows));
    ELSE
        INSERT INTO pipeline_stage_rollup AS r (owner_id, stage, currency, close_month, n, amount, weighted)
        SELECT owner_id, stage, currency, close_month, sum(n), sum(amount), sum(weighted)
        FROM (SELECT owner_id, stage, currency, pipeline_month(expected_close_date) AS close_month,
                     1 AS n, amount, amount * probability AS weighted
              FROM new_rows
              UNION ALL
              SELECT owner_id, stage, currency, pipeline_month(expected_close_date), -1, -amount,
                     -(amount * probability)
              FROM old_rows) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(weighted) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT pipeline_stage_rollup_key DO UPDATE
            SET n = r.n + excluded.n, amount = r.amount + excluded.amount, weighted = r.weighted + excluded.weighted;
        -- The history rollup depends on the owner, the close month and the outcome only.
        PERFORM pipeline_history_sync(ARRAY(
            SELECT n.id FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
            WHERE o.id IS NULL
               OR o.owner_id IS DISTINCT FROM n.owner_id
               OR pipeline_month(o.expected_close_date) IS DISTINCT FROM pipeline_month(n.expected_close_date)
               OR (o.stage IN ('won', 'lost') OR n.stage IN ('won', 'lost')) AND o.stage <> n.stage
            UNION
            SELECT o.id FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id)));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION pipeline_history_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pipeline_history_sync(ARRAY(SELECT DISTINCT opportunity_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pipeline_history_sync(ARRAY(SELECT DISTINCT opportunity_id FROM old_rows));
    ELSE
        PERFORM pipeline_history_sync(ARRAY(
            SELECT opportunity_id FROM new_rows UNION SELECT opportunity_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger.
CREATE TRIGGER pipeline_rollup_insert AFTER INSERT ON opportunities
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pipeline_opportunities_trigger();
CREATE TRIGGER pipeline_rollup_update AFTER UPDATE ON opportunities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pipeline_opportunities_trigger();
CREATE TRIGGER pipeline_rollup_delete AFTER DELETE ON opportunities
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pipeline_opportunities_trigger();
CREATE TRIGGER pipeline_rollup_insert AFTER INSERT ON opportunity_stage_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pipeline_history_trigger();
CREATE TRIGGER pipeline_rollup_update AFTER UPDATE ON opportunity_stage_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pipeline_history_trigger();
CREATE TRIGGER pipeline_rollup_delete AFTER DELETE ON opportunity_stage_history
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pipeline_history_trigger();

-- Backfill. No writer is missed: CREATE TRIGGER above holds a SHARE ROW EXCLUSIVE lock on both tables until the
-- migration's transaction commits, so writes wait for it, and what committed before is in these snapshots.

INSERT INTO pipeline_stage_rollup (owner_id, stage, currency, close_month, n, amount, weighted)
SELECT owner_id, stage, currency, pipeline_month(expected_close_date), count(*), sum(amount),
       sum(amount * probability)
FROM opportunities GROUP BY 1, 2, 3, 4;

INSERT INTO pipeline_history_facts (opportunity_id, to_stage, owner_id, close_month, outcome, stays, secs)
SELECT o.id, h.to_stage, o.owner_id, pipeline_month(o.expected_close_date),
       CASE WHEN o.stage IN ('won', 'lost') THEN o.stage ELSE 'open' END,
       count(h.left_at), coalesce(sum(extract(epoch FROM h.left_at - h.changed_at)), 0)
FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id
GROUP BY o.id, h.to_stage
HAVING o.stage IN ('won', 'lost') OR count(h.left_at) > 0;

INSERT INTO pipeline_history_rollup (owner_id, close_month, outcome, to_stage, entered, stays, secs)
SELECT owner_id, close_month, outcome, to_stage, count(*), sum(stays), sum(secs)
FROM pipeline_history_facts GROUP BY 1, 2, 3, 4;

ANALYZE pipeline_stage_rollup, pipeline_history_facts, pipeline_history_rollup;
