-- Foundation: users and tokens, the append-only audit trail, customers and contacts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE app_settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'manager', 'sales', 'support', 'inventory', 'viewer')),
    team          text CHECK (length(btrim(team)) BETWEEN 1 AND 60),
    is_active     boolean NOT NULL DEFAULT true,
    -- Bumped on password reset and deactivation: sessions and access tokens of an older epoch stop working.
    auth_epoch    integer NOT NULL DEFAULT 1,
    last_login_at timestamptz,
    version       integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_team_idx ON users (team) WHERE team IS NOT NULL;
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);

-- Refresh tokens are stored as SHA-256 hashes; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL CONSTRAINT refresh_tokens_hash_key UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- The audit trail. Ids are time-ordered (UUID v7), so `ORDER BY id DESC` is newest first.
CREATE TABLE audit_logs (
    id          uuid PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    actor_email text,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   uuid,
    changes     jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id  text,
    ip          text
);
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity, entity_id, id DESC);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_id, id DESC);
CREATE INDEX audit_logs_at_idx ON audit_logs (at);

CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only();

CREATE TABLE customers (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email      text CHECK (email = lower(email) AND length(email) <= 254),
    phone      text CHECK (length(phone) <= 30),
    website    text CHECK (length(website) <= 500),
    industry   text CHECK (length(industry) <= 100),
    status     text NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect', 'active', 'inactive')),
    owner_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    tags       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search     tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' '
            || coalesce(regexp_replace(website, '^https?://', ''), ''))
    ) STORED
);
-- One customer per e-mail address: duplicates answer 409 on `email`.
CREATE UNIQUE INDEX customers_email_unique ON customers (email) WHERE email IS NOT NULL;
CREATE INDEX customers_search_idx ON customers USING gin (search);
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
CREATE INDEX customers_tags_idx ON customers USING gin (tags);
-- Keyset indexes: one per sort key, with id as the tie-breaker.
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX customers_updated_idx ON customers (updated_at, id);
CREATE INDEX customers_name_idx ON customers (name, id);
CREATE INDEX customers_owner_idx ON customers (owner_id, created_at, id);
CREATE INDEX customers_status_idx ON customers (status, created_at, id);
CREATE INDEX customers_industry_idx ON customers (industry, created_at, id);

CREATE TABLE contacts (
    id          uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    first_name  text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name   text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    email       text CHECK (email = lower(email) AND length(email) <= 254),
    phone       text CHECK (length(phone) <= 30),
    title       text CHECK (length(title) <= 100),
    version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search      tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', first_name || ' ' || last_name || ' ' || coalesce(email, ''))
    ) STORED
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id, last_name, id);
CREATE INDEX contacts_last_name_idx ON contacts (last_name, id);
CREATE INDEX contacts_created_idx ON contacts (created_at, id);
CREATE INDEX contacts_email_idx ON contacts (email) WHERE email IS NOT NULL;
CREATE INDEX contacts_search_idx ON contacts USING gin (search);

-- Failed logins per key (`email:…`, `ip:…`), for rate limiting across app nodes.
CREATE TABLE login_failures (
    key text NOT NULL,
    at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, at);
