-- Rollup of the activity report and dashboards (`GET /reports/activity`): interactions per UTC day × author ×
-- kind, kept exact by statement-level triggers in the writing transaction (also for COPY, bulk endpoints and
-- psql), so that a report over weeks sums a few thousand rows instead of counting millions of interactions
-- (10M a year). A report's window is whole days, so any window is answered exactly from the rollup.
-- Emptied rows stay at zero (the report skips them). Writers that log interactions for the same author, day
-- and kind serialise on that row until they commit (milliseconds).

CREATE TABLE interaction_daily_rollup (
    day       date NOT NULL,
    author_id uuid,
    kind      text NOT NULL,
    n         bigint NOT NULL,
    CONSTRAINT interaction_daily_rollup_key UNIQUE NULLS NOT DISTINCT (day, author_id, kind)
);

CREATE FUNCTION interaction_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (t AT TIME ZONE 'UTC')::date;

CREATE FUNCTION interaction_rollup_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO interaction_daily_rollup AS r (day, author_id, kind, n)
        SELECT interaction_day(occurred_at), author_id, kind, count(*) FROM new_rows
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT interaction_daily_rollup_key DO UPDATE SET n = r.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO interaction_daily_rollup AS r (day, author_id, kind, n)
        SELECT interaction_day(occurred_at), author_id, kind, -count(*) FROM old_rows
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT interaction_daily_rollup_key DO UPDATE SET n = r.n + excluded.n;
    ELSE
        INSERT INTO interaction_daily_rollup AS r (day, author_id, kind, n)
        SELECT day, author_id, kind, sum(n) FROM (
            SELECT interaction_day(occurred_at) AS day, author_id, kind, 1 AS n FROM new_rows
            UNION ALL
            SELECT interaction_day(occurred_at), author_id, kind, -1 FROM old_rows) d
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT interaction_daily_rollup_key DO UPDATE SET n = r.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER interaction_rollup_insert AFTER INSERT ON interactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION interaction_rollup_trigger();
CREATE TRIGGER interaction_rollup_update AFTER UPDATE ON interactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interaction_rollup_trigger();
CREATE TRIGGER interaction_rollup_delete AFTER DELETE ON interactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION interaction_rollup_trigger();

INSERT INTO interaction_daily_rollup (day, author_id, kind, n)
SELECT interaction_day(occurred_at), author_id, kind, count(*) FROM interactions GROUP BY 1, 2, 3;

-- Sign-ins per day on the admin dashboard read only the auth rows of the audit trail.
CREATE INDEX audit_logs_auth_idx ON audit_logs (at) WHERE action IN ('auth.login', 'auth.login_failed');
