-- V0004: cost provenance — what computed each row's cost — and the price snapshots rows refer to.
-- Immutable once landed. Numbered after V0003 (partitions and rollups, written in parallel); the migrator applies
-- pending files in order and needs no contiguous numbers.

-- A computed cost records what priced it: the snapshot (price table + overrides and discounts, by id), the table entry
-- used, the override and discounts applied (labels, NULL when none) and the cost before discounts. NULL for
-- provider-reported and subscription costs, unpriced rows, and rows priced before V0004 or by a door that does not
-- record provenance yet; `reprice` fills them in. Adding nullable columns without defaults rewrites nothing.
ALTER TABLE token_usage
    ADD COLUMN price_snapshot text,
    ADD COLUMN price_key text,
    ADD COLUMN price_rules text,
    ADD COLUMN list_cost_usd numeric(18, 9),
    ADD CONSTRAINT token_usage_list_cost_non_negative CHECK (list_cost_usd >= 0),
    ADD CONSTRAINT token_usage_provenance_of_computed CHECK (
        (price_snapshot IS NULL AND price_key IS NULL AND price_rules IS NULL AND list_cost_usd IS NULL)
        OR (cost_basis = 'computed' AND price_snapshot IS NOT NULL AND price_key IS NOT NULL AND list_cost_usd IS NOT NULL));

COMMENT ON COLUMN token_usage.price_snapshot IS 'price_snapshot.id of the table and rules that computed cost_usd; NULL unless computed (or priced before V0004).';
COMMENT ON COLUMN token_usage.price_key IS 'The price-table entry that priced the row.';
COMMENT ON COLUMN token_usage.price_rules IS 'The override and discounts applied, as labels ("override gpt-4o from 2026-11-01; discount openai * 20%"); NULL = none.';
COMMENT ON COLUMN token_usage.list_cost_usd IS 'The computed cost before discounts (= cost_usd when none applied).';

-- One row per combination of price table and rules that priced something: the table's SHA-256 and how it was loaded,
-- and the overrides and discounts in their canonical JSON (tool/Pricing/PricingRulesJson.cs).
CREATE TABLE price_snapshot (
    id            text PRIMARY KEY,
    table_source  text NOT NULL,
    table_sha256  text NOT NULL,
    rules         jsonb NOT NULL,
    first_used_at timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE price_snapshot IS 'A price table (by hash) with the overrides and discounts in force: what token_usage.price_snapshot names.';

-- The entries of each table that priced something, in LiteLLM's field names: with the snapshot's rules they price a
-- row again exactly as it was priced, after the table has moved on.
CREATE TABLE price_entry (
    table_sha256 text NOT NULL,
    price_key    text NOT NULL,
    entry        jsonb NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_sha256, price_key)
);
COMMENT ON TABLE price_entry IS 'Price-table entries (LiteLLM format) that priced rows, per table hash.';
