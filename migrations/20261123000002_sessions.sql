-- Browser sessions (the default store; Redis is used instead when REDIS_URL is set).
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    data       bytea NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
