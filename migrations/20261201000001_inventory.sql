-- Inventory and purchasing: vendors, assets with a stock ledger, serial-numbered units, allocations and
-- returns, purchase orders with receiving, maintenance, project demand, usage (units-of-production
-- depreciation) and the transactional outbox of domain events.
--
-- Stock rule: every change of quantity is a row of stock_movements; assets.total_quantity and
-- available_quantity are the ledger's sums, kept in the same transaction, and the CHECK below means stock can
-- never go negative or be allocated twice, whatever the application does.

CREATE TABLE vendors (
    id             uuid PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email          text CHECK (length(email) <= 254),
    phone          text CHECK (length(phone) <= 40),
    website        text CHECK (length(website) <= 500),
    contact_name   text CHECK (length(contact_name) <= 200),
    lead_time_days integer NOT NULL DEFAULT 7 CHECK (lead_time_days BETWEEN 0 AND 365),
    notes          text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    search         tsvector GENERATED ALWAYS AS (
                       to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(email, '') || ' '
                           || coalesce(contact_name, ''))) STORED,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX vendors_name_key ON vendors (lower(name));
CREATE INDEX vendors_name_idx ON vendors (name, id);
CREATE INDEX vendors_created_idx ON vendors (created_at, id);
CREATE INDEX vendors_search_idx ON vendors USING gin (search);

CREATE TABLE assets (
    id                  uuid PRIMARY KEY,
    sku                 text NOT NULL CHECK (sku ~ '^[A-Z0-9][A-Z0-9._/-]{1,63}$'),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind                text NOT NULL CHECK (kind IN ('hardware', 'software')),
    category            text NOT NULL DEFAULT '' CHECK (length(category) <= 200),
    tracking            text NOT NULL CHECK (tracking IN ('quantity', 'serial')),
    vendor_id           uuid REFERENCES vendors (id) ON DELETE SET NULL,
    total_quantity      integer NOT NULL DEFAULT 0,
    available_quantity  integer NOT NULL DEFAULT 0,
    reorder_point       integer NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    reorder_quantity    integer NOT NULL DEFAULT 0 CHECK (reorder_quantity >= 0),
    purchase_price      numeric(14, 2) CHECK (purchase_price >= 0),
    currency            char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    purchase_date       date,
    depreciation_method text NOT NULL DEFAULT 'straight_line' CHECK (depreciation_method IN
                            ('straight_line', 'declining_balance', 'sum_of_years_digits', 'units_of_production')),
    useful_life_months  integer CHECK (useful_life_months BETWEEN 1 AND 600),
    salvage_value       numeric(14, 2) CHECK (salvage_value >= 0),
    lifetime_units      numeric(16, 2) CHECK (lifetime_units > 0),
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'discontinued', 'retired')),
    location            text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    license_expires_on  date,
    notes               text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    search              tsvector GENERATED ALWAYS AS (
                            to_tsvector('simple', sku || ' ' || name || ' ' || replace(category, '/', ' ') || ' '
                                || location)) STORED,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assets_stock_check CHECK (0 <= available_quantity AND available_quantity <= total_quantity)
);
CREATE UNIQUE INDEX assets_sku_key ON assets (sku);
CREATE INDEX assets_sku_pattern_idx ON assets (sku text_pattern_ops);
CREATE INDEX assets_name_idx ON assets (name, id);
CREATE INDEX assets_created_idx ON assets (created_at, id);
CREATE INDEX assets_available_idx ON assets (available_quantity, id);
CREATE INDEX assets_category_idx ON assets (category text_pattern_ops);
CREATE INDEX assets_vendor_idx ON assets (vendor_id, sku);
CREATE INDEX assets_low_idx ON assets (sku) WHERE reorder_point > 0 AND available_quantity <= reorder_point;
CREATE INDEX assets_search_idx ON assets USING gin (search);

-- What a vendor charges for an asset it supplies.
CREATE TABLE vendor_assets (
    vendor_id      uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    asset_id       uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    unit_price     numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    currency       char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    vendor_sku     text CHECK (length(vendor_sku) <= 100),
    lead_time_days integer CHECK (lead_time_days BETWEEN 0 AND 365),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor_id, asset_id)
);
CREATE INDEX vendor_assets_asset_idx ON vendor_assets (asset_id);

CREATE TABLE allocations (
    id                uuid PRIMARY KEY,
    asset_id          uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    quantity          integer NOT NULL CHECK (quantity > 0),
    returned_quantity integer NOT NULL DEFAULT 0,
    project_id        uuid REFERENCES projects (id) ON DELETE RESTRICT,
    customer_id       uuid REFERENCES customers (id) ON DELETE RESTRICT,
    user_id           uuid REFERENCES users (id) ON DELETE RESTRICT,
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    allocated_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    allocated_at      timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    CHECK (returned_quantity BETWEEN 0 AND quantity),
    CHECK (num_nonnulls(project_id, customer_id, user_id) = 1),
    CHECK ((closed_at IS NOT NULL) = (returned_quantity = quantity))
);
CREATE INDEX allocations_asset_idx ON allocations (asset_id, allocated_at DESC, id DESC);
CREATE INDEX allocations_project_idx ON allocations (project_id, allocated_at DESC) WHERE project_id IS NOT NULL;
CREATE INDEX allocations_customer_idx ON allocations (customer_id, allocated_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX allocations_user_idx ON allocations (user_id, allocated_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX allocations_open_idx ON allocations (asset_id) WHERE closed_at IS NULL;

CREATE TABLE purchase_orders (
    id          uuid PRIMARY KEY,
    number      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    vendor_id   uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    status      text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'ordered', 'partially_received', 'received', 'cancelled')),
    currency    char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    expected_on date,
    ordered_at  timestamptz,
    received_at timestamptz,
    cancelled_at timestamptz,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'draft') OR ordered_at IS NOT NULL OR status = 'cancelled'),
    CHECK ((status = 'received') = (received_at IS NOT NULL))
);
CREATE INDEX purchase_orders_created_idx ON purchase_orders (created_at, id);
CREATE INDEX purchase_orders_vendor_idx ON purchase_orders (vendor_id, created_at);
CREATE INDEX purchase_orders_open_idx ON purchase_orders (expected_on)
    WHERE status IN ('ordered', 'partially_received');

CREATE TABLE purchase_order_lines (
    id                uuid PRIMARY KEY,
    purchase_order_id uuid NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    line_no           integer NOT NULL CHECK (line_no > 0),
    asset_id          uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price        numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    received_quantity integer NOT NULL DEFAULT 0,
    CHECK (received_quantity BETWEEN 0 AND quantity),
    UNIQUE (purchase_order_id, line_no),
    UNIQUE (purchase_order_id, asset_id)
);
CREATE INDEX purchase_order_lines_asset_idx ON purchase_order_lines (asset_id);

CREATE TABLE asset_units (
    id            uuid PRIMARY KEY,
    asset_id      uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    serial        text NOT NULL CHECK (length(serial) BETWEEN 1 AND 100),
    status        text NOT NULL DEFAULT 'in_stock' CHECK (status IN ('in_stock', 'allocated', 'written_off')),
    allocation_id uuid REFERENCES allocations (id) ON DELETE RESTRICT,
    po_line_id    uuid REFERENCES purchase_order_lines (id) ON DELETE SET NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (asset_id, serial),
    CHECK ((status = 'allocated') = (allocation_id IS NOT NULL))
);
CREATE INDEX asset_units_stock_idx ON asset_units (asset_id, status, serial);
CREATE INDEX asset_units_allocation_idx ON asset_units (allocation_id) WHERE allocation_id IS NOT NULL;

-- The stock ledger: append-only (like the audit trail); corrections are new rows.
CREATE TABLE stock_movements (
    id              uuid PRIMARY KEY,
    asset_id        uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    kind            text NOT NULL CHECK (kind IN ('receipt', 'allocation', 'return', 'adjustment', 'write_off')),
    total_delta     integer NOT NULL,
    available_delta integer NOT NULL,
    reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    allocation_id   uuid REFERENCES allocations (id) ON DELETE RESTRICT,
    po_line_id      uuid REFERENCES purchase_order_lines (id) ON DELETE SET NULL,
    serials         text[] NOT NULL DEFAULT '{}',
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    CHECK (total_delta <> 0 OR available_delta <> 0)
);
CREATE INDEX stock_movements_asset_idx ON stock_movements (asset_id, at DESC, id DESC);
CREATE INDEX stock_movements_at_idx ON stock_movements (at);

CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER stock_movements_no_update_delete BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only();
CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only();

CREATE TABLE maintenance (
    id            uuid PRIMARY KEY,
    asset_id      uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('preventive', 'corrective', 'inspection')),
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    scheduled_for date,
    performed_at  timestamptz,
    cost          numeric(14, 2) CHECK (cost >= 0),
    next_due      date,
    task_id       uuid REFERENCES tasks (id) ON DELETE SET NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (performed_at IS NOT NULL OR scheduled_for IS NOT NULL)
);
CREATE INDEX maintenance_asset_idx ON maintenance (asset_id, created_at DESC, id DESC);

-- Monthly usage of an asset (units-of-production depreciation).
CREATE TABLE asset_usage (
    asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    month    date NOT NULL CHECK (extract(day FROM month) = 1),
    units    numeric(16, 2) NOT NULL CHECK (units >= 0),
    PRIMARY KEY (asset_id, month)
);

-- Assets projects need, by date.
CREATE TABLE project_demands (
    id         uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    quantity   integer NOT NULL CHECK (quantity > 0),
    needed_by  date NOT NULL,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_demands_project_idx ON project_demands (project_id, needed_by);
CREATE INDEX project_demands_asset_idx ON project_demands (asset_id, needed_by);

-- The transactional outbox: a service writes its event in the transaction of the change; a dispatcher handles
-- committed events (claimed with FOR UPDATE SKIP LOCKED, so several nodes never handle one twice) and marks
-- them handled. A rolled-back change leaves no event; a crash after commit leaves it to be handled on restart.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    type       text NOT NULL,
    entity     text NOT NULL,
    entity_id  uuid NOT NULL,
    data       jsonb NOT NULL DEFAULT '{}',
    actor_id   uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    handled_at timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE handled_at IS NULL;
