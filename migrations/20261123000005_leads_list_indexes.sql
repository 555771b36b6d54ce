-- Lead list sorts and filters that the CRM-core schema left without an index: sorting by estimated value
-- (missing values sort as -1, below every real one: the list's keyset uses the same expression) and the
-- `source` filter in the default newest-first order.
CREATE INDEX leads_value_idx ON leads ((coalesce(estimated_value, -1)), id);
CREATE INDEX leads_source_idx ON leads (source, created_at, id);
