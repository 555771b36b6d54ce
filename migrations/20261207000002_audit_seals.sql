-- Tamper evidence for the audit trail: one SHA-256 seal per entry, each chained to the one before it on the
-- same (UTC) day of the entry, so a day can later be dropped whole without breaking the rest. Entries are
-- sealed shortly after they commit by a background sealer (sealing inside every writing transaction would
-- serialise all writes on the chain head); `crm-ims audit verify` recomputes every link and names the first
-- entry that was changed, deleted, or slipped in unsealed.
CREATE TABLE audit_seals (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id  uuid NOT NULL UNIQUE,
    day       date NOT NULL,
    entry_at  timestamptz NOT NULL,
    prev      bytea,
    hash      bytea NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_seals_day_idx ON audit_seals (day, seq);
CREATE INDEX audit_seals_entry_at_idx ON audit_seals (entry_at);

CREATE TRIGGER audit_seals_no_update_delete BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only();
