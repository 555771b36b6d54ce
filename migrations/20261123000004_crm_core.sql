-- CRM core: leads, opportunities with stage history, tickets with comments, projects with milestones,
-- interactions (partitioned by month of occurred_at), tasks, the durable job queue and in-app notifications.
--
-- Visibility: leads and opportunities have an owner (sales see their own / their team's). Everything that
-- hangs off a customer (interactions, tickets, projects, tasks linked to a customer) is visible to whoever may
-- see that customer; the services enforce it.

-- Exchange rates into the base currency (app_settings 'base_currency', default USD) for reports.
CREATE TABLE exchange_rates (
    currency   char(3) PRIMARY KEY CHECK (currency ~ '^[A-Z]{3}$'),
    rate       numeric(20, 10) NOT NULL CHECK (rate > 0),  -- 1 unit of `currency` = rate units of the base
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO exchange_rates (currency, rate) VALUES ('USD', 1), ('EUR', 1.08), ('GBP', 1.27), ('CHF', 1.12),
    ('JPY', 0.0067), ('CAD', 0.73), ('AUD', 0.66);

CREATE TABLE leads (
    id                       uuid PRIMARY KEY,
    name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    company                  text CHECK (length(company) <= 200),
    email                    text CHECK (length(email) <= 254),
    phone                    text CHECK (length(phone) <= 40),
    source                   text NOT NULL DEFAULT 'other'
                             CHECK (source IN ('web', 'referral', 'event', 'outbound', 'partner', 'other')),
    status                   text NOT NULL DEFAULT 'new'
                             CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'disqualified')),
    owner_id                 uuid REFERENCES users (id) ON DELETE SET NULL,
    estimated_value          numeric(14, 2) CHECK (estimated_value >= 0),
    currency                 char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    notes                    text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    disqualified_reason      text CHECK (length(disqualified_reason) <= 500),
    converted_at             timestamptz,
    converted_customer_id    uuid REFERENCES customers (id) ON DELETE SET NULL,
    converted_contact_id     uuid REFERENCES contacts (id) ON DELETE SET NULL,
    converted_opportunity_id uuid,
    search                   tsvector GENERATED ALWAYS AS (
                                 to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(company, '') || ' '
                                     || coalesce(email, '') || ' ' || coalesce(phone, ''))) STORED,
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'converted') = (converted_at IS NOT NULL))
);
CREATE INDEX leads_created_idx ON leads (created_at, id);
CREATE INDEX leads_updated_idx ON leads (updated_at, id);
CREATE INDEX leads_name_idx ON leads (name, id);
CREATE INDEX leads_owner_idx ON leads (owner_id, created_at, id);
CREATE INDEX leads_status_idx ON leads (status, created_at, id);
CREATE INDEX leads_email_idx ON leads (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX leads_search_idx ON leads USING gin (search);

CREATE TABLE opportunities (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    customer_id         uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id          uuid REFERENCES contacts (id) ON DELETE SET NULL,
    lead_id             uuid REFERENCES leads (id) ON DELETE SET NULL,
    stage               text NOT NULL DEFAULT 'qualification'
                        CHECK (stage IN ('qualification', 'proposal', 'negotiation', 'won', 'lost')),
    amount              numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    currency            char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    probability         smallint NOT NULL CHECK (probability BETWEEN 0 AND 100),
    expected_close_date date,
    owner_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    lost_reason         text CHECK (length(lost_reason) <= 500),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    stage_changed_at    timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    search              tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(name, ''))) STORED,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (stage <> 'lost' OR lost_reason IS NOT NULL),
    CHECK ((stage IN ('won', 'lost')) = (closed_at IS NOT NULL))
);
CREATE INDEX opportunities_created_idx ON opportunities (created_at, id);
CREATE INDEX opportunities_updated_idx ON opportunities (updated_at, id);
CREATE INDEX opportunities_name_idx ON opportunities (name, id);
CREATE INDEX opportunities_customer_idx ON opportunities (customer_id, created_at, id);
CREATE INDEX opportunities_owner_stage_idx ON opportunities (owner_id, stage, created_at, id);
CREATE INDEX opportunities_stage_idx ON opportunities (stage, created_at, id);
CREATE INDEX opportunities_close_idx ON opportunities (expected_close_date, id);
CREATE INDEX opportunities_amount_idx ON opportunities (amount, id);
CREATE INDEX opportunities_search_idx ON opportunities USING gin (search);
ALTER TABLE leads ADD CONSTRAINT leads_converted_opportunity_fk
    FOREIGN KEY (converted_opportunity_id) REFERENCES opportunities (id) ON DELETE SET NULL;

-- One row per stage entered (the first row has from_stage NULL): time in stage, win rates, the timeline.
CREATE TABLE opportunity_stage_history (
    id             uuid PRIMARY KEY,
    opportunity_id uuid NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    from_stage     text,
    to_stage       text NOT NULL,
    amount         numeric(14, 2) NOT NULL,
    probability    smallint NOT NULL,
    changed_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    changed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opportunity_stage_history_opp_idx ON opportunity_stage_history (opportunity_id, changed_at, id);
CREATE INDEX opportunity_stage_history_at_idx ON opportunity_stage_history (changed_at);

CREATE TABLE tickets (
    id                uuid PRIMARY KEY,
    number            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    subject           text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    priority          text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    customer_id       uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id        uuid REFERENCES contacts (id) ON DELETE SET NULL,
    assignee_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    sla_due_at        timestamptz NOT NULL,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    search            tsvector GENERATED ALWAYS AS (
                          to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(description, ''))) STORED,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_created_idx ON tickets (created_at, id);
CREATE INDEX tickets_updated_idx ON tickets (updated_at, id);
CREATE INDEX tickets_customer_idx ON tickets (customer_id, created_at, id);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status, created_at, id);
CREATE INDEX tickets_status_idx ON tickets (status, created_at, id);
CREATE INDEX tickets_sla_idx ON tickets (sla_due_at, id) WHERE status IN ('open', 'in_progress');
CREATE INDEX tickets_search_idx ON tickets USING gin (search);

CREATE TABLE ticket_comments (
    id         uuid PRIMARY KEY,
    ticket_id  uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    internal   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (ticket_id, created_at, id);

CREATE TABLE projects (
    id             uuid PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    customer_id    uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    opportunity_id uuid UNIQUE REFERENCES opportunities (id) ON DELETE SET NULL,
    manager_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    status         text NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'active', 'on_hold', 'completed', 'cancelled')),
    start_date     date,
    end_date       date,
    budget         numeric(14, 2) CHECK (budget >= 0),
    currency       char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    search         tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(name, ''))) STORED,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX projects_created_idx ON projects (created_at, id);
CREATE INDEX projects_name_idx ON projects (name, id);
CREATE INDEX projects_customer_idx ON projects (customer_id, created_at, id);
CREATE INDEX projects_status_idx ON projects (status, created_at, id);
CREATE INDEX projects_search_idx ON projects USING gin (search);

CREATE TABLE milestones (
    id           uuid PRIMARY KEY,
    project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    due_date     date,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
    completed_at timestamptz,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestones_project_idx ON milestones (project_id, due_date, id);

-- Interactions: 10M+ rows a year, range-partitioned by month of occurred_at. The primary key includes the
-- partition key; ids are UUID v7. `crm_ensure_interaction_partition` creates a month ahead of time (the app
-- calls it at start and daily) and moves any rows the default partition already holds for that month.
CREATE TABLE interactions (
    id               uuid NOT NULL,
    customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id       uuid REFERENCES contacts (id) ON DELETE SET NULL,
    opportunity_id   uuid REFERENCES opportunities (id) ON DELETE SET NULL,
    ticket_id        uuid REFERENCES tickets (id) ON DELETE SET NULL,
    kind             text NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note')),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body             text NOT NULL DEFAULT '' CHECK (length(body) <= 100000),
    occurred_at      timestamptz NOT NULL,
    duration_minutes integer CHECK (duration_minutes BETWEEN 0 AND 100000),
    participants     text[] NOT NULL DEFAULT '{}',
    author_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    search           tsvector GENERATED ALWAYS AS (
                         to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(body, ''))) STORED,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE interactions_default PARTITION OF interactions DEFAULT;
CREATE INDEX interactions_customer_idx ON interactions (customer_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_occurred_idx ON interactions (occurred_at, id);
CREATE INDEX interactions_author_idx ON interactions (author_id, occurred_at, id);
CREATE INDEX interactions_contact_idx ON interactions (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX interactions_opportunity_idx ON interactions (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX interactions_ticket_idx ON interactions (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX interactions_search_idx ON interactions USING gin (search);

CREATE FUNCTION crm_ensure_interaction_partition(month date) RETURNS boolean LANGUAGE plpgsql AS $$
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
    RETURN true;
END $$;

-- Months around now exist from the start: two years back, three months ahead.
SELECT crm_ensure_interaction_partition((date_trunc('month', now()) + make_interval(months => m))::date)
FROM generate_series(-24, 3) AS m;

CREATE TABLE tasks (
    id             uuid PRIMARY KEY,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    due_at         timestamptz,
    remind_at      timestamptz,
    assignee_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    priority       text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    customer_id    uuid REFERENCES customers (id) ON DELETE CASCADE,
    lead_id        uuid REFERENCES leads (id) ON DELETE CASCADE,
    opportunity_id uuid REFERENCES opportunities (id) ON DELETE CASCADE,
    ticket_id      uuid REFERENCES tickets (id) ON DELETE CASCADE,
    completed_at   timestamptz,
    search         tsvector GENERATED ALWAYS AS (
                       to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))) STORED,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status, due_at, id);
CREATE INDEX tasks_due_idx ON tasks (due_at, id);
CREATE INDEX tasks_created_idx ON tasks (created_at, id);
CREATE INDEX tasks_customer_idx ON tasks (customer_id, created_at, id) WHERE customer_id IS NOT NULL;
CREATE INDEX tasks_lead_idx ON tasks (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX tasks_opportunity_idx ON tasks (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX tasks_ticket_idx ON tasks (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);

-- The durable job queue: workers claim due rows with FOR UPDATE SKIP LOCKED, do the work and mark the row done
-- in the same transaction, so several app nodes never run a job twice and a crash never loses one.
CREATE TABLE jobs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{}',
    run_at     timestamptz NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text,
    dedupe_key text UNIQUE,
    done_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE done_at IS NULL;

CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    entity     text,
    entity_id  uuid,
    dedupe_key text UNIQUE,
    read_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
