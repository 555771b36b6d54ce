-- Type-ahead search on customer names: `lower(name) LIKE 'prefix%'` answered by an index-only scan that also
-- carries the sort keys and the owner (record-level scope), so a prefix matching thousands of customers is
-- sorted without touching the table (see docs/benchmarks.md).
CREATE INDEX customers_name_prefix_idx ON customers (lower(name) text_pattern_ops)
    INCLUDE (name, created_at, updated_at, owner_id, id);
