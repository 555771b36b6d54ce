-- `Idempotency-Key` on POST: the first answer to a (user, key) is kept for 24 hours and replayed to retries.
-- A request that committed but whose answer was lost is found by its audit rows (`audit_logs.request_id` is
-- the key's `attempt`, written in the write's own transaction), so a retry never applies the write twice.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea NOT NULL,
    attempt      text NOT NULL,
    -- While the request runs: a retry before this answers 409; after it, the attempt is known to be dead.
    locked_until timestamptz,
    status       smallint,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE INDEX audit_logs_idempotent_request_idx ON audit_logs (request_id) WHERE request_id LIKE 'idem-%';
