-- V0002: call identities (DESIGN invariant 16) and locks a read-only role cannot take.
-- Immutable once landed.

-- Which calls each row of a file-fed source counts. A row of the `import`, `requests` and `manual` doors is the sum
-- of the calls (or the one aggregate row) whose identities its ledger entry holds; an identity is a 16-byte hash
-- of what the call is (docs/schema.md, "Call identity"), never of the file it came in. Importing a call that any
-- entry overlapping its window already holds adds nothing, so touching, copying, renaming or re-reading a file, or
-- feeding it through two doors, changes no total. The identities of one row are kept together, concatenated, so
-- the ledger costs 16 bytes per call and one tuple per row rather than one tuple per call.
-- usage_id is token_usage.id without a foreign key, so that the fact table can be truncated, partitioned and
-- pruned on its own; the writers delete the entries of rows they delete, readers join on usage_id (an entry whose
-- row is gone counts nothing), and `verify` reports entries whose row is gone or whose window differs.
CREATE TABLE call_ledger (
    usage_id     bigint PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    kind         text NOT NULL,
    call_ids     bytea NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_ledger_kind CHECK (kind IN ('calls', 'row')),
    CONSTRAINT call_ledger_ids_whole CHECK (length(call_ids) > 0 AND length(call_ids) % 16 = 0),
    CONSTRAINT call_ledger_window_order CHECK (window_end > window_start)
);
-- Random 16-byte identities do not compress: store them out of line without trying.
ALTER TABLE call_ledger ALTER COLUMN call_ids SET STORAGE EXTERNAL;
CREATE INDEX call_ledger_window_start_idx ON call_ledger (window_start);

COMMENT ON TABLE call_ledger IS
    'Per token_usage row of a file-fed source: the identities of the calls (kind calls) or of the aggregate row (kind row) it counts.';
COMMENT ON COLUMN call_ledger.call_ids IS '16-byte call identities, concatenated; a row counts each exactly once.';

-- Locks taken as row locks (SELECT … FOR UPDATE), which need UPDATE on this table: the Grafana reader role, which has
-- SELECT only, cannot take them, so it cannot stall collection or imports (an advisory lock anyone can take).
-- 'ingest' serialises writers of call_ledger; 'source:<name>' rows are added by the collector as needed.
CREATE TABLE collector_lock (
    name       text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO collector_lock (name) VALUES ('ingest');
