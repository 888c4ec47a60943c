-- V0005: what `reconcile` and the dashboard's "Does it match the bill?" panel need beyond usage_daily, per day, source
-- system and model — the discounts taken off list prices (V0004's list_cost_usd) and the rows a price would have
-- priced but none did — so that both read rollups, never a year of token_usage, and keep the days retention dropped.
-- Immutable once landed.

-- A cell holds only rows that carry one of the two: a row with a list cost (always a computed cost) or an unpriced
-- row (no cost although both token totals are known, not an estimate). The two are disjoint; a cell whose counts both
-- reach 0 is removed, so the table holds exactly the cells the facts have.
CREATE TABLE usage_daily_pricing (
    day           timestamptz NOT NULL,
    source_system text NOT NULL,
    model_id      text NOT NULL,
    list_rows     bigint NOT NULL,
    discount_usd  numeric,
    unpriced_rows bigint NOT NULL,
    PRIMARY KEY (day, source_system, model_id)
);
CREATE INDEX usage_daily_pricing_emptied ON usage_daily_pricing (day) WHERE list_rows = 0 AND unpriced_rows = 0;
COMMENT ON TABLE usage_daily_pricing IS 'Per UTC day, source system and model: rows with a list cost, their discounts (list_cost_usd - cost_usd; NULL when list_rows = 0) and unpriced rows. Kept by triggers like usage_daily.';

-- The statement each trigger runs over its signed rows (sign, then token_usage's columns): cells locked in key order, nil changes
-- skipped. A cell it empties is removed by the trigger's next statement (a statement cannot see its own upserts);
-- the partial index keeps that lookup to the emptied cells.
CREATE FUNCTION usage_pricing_sql(p_src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
WITH src AS (%1$s),
delta AS (
    SELECT date_trunc('day', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, source_system, model_id,
           sum(sign * (list_cost_usd IS NOT NULL)::int) AS list_rows,
           sum(sign * (list_cost_usd - cost_usd)) AS discount_usd,
           sum(sign * (list_cost_usd IS NULL)::int) AS unpriced_rows
    FROM src
    WHERE list_cost_usd IS NOT NULL
       OR (cost_usd IS NULL AND input_tokens IS NOT NULL AND output_tokens IS NOT NULL AND measurement_basis <> 'derived_estimate')
    GROUP BY 1, 2, 3
    HAVING sum(sign * (list_cost_usd IS NOT NULL)::int) <> 0 OR coalesce(sum(sign * (list_cost_usd - cost_usd)), 0) <> 0
        OR sum(sign * (list_cost_usd IS NULL)::int) <> 0)
INSERT INTO %2$I.usage_daily_pricing AS r
    SELECT * FROM delta ORDER BY day, source_system, model_id
    ON CONFLICT (day, source_system, model_id) DO UPDATE SET
        list_rows = r.list_rows + EXCLUDED.list_rows,
        discount_usd = CASE WHEN r.list_rows + EXCLUDED.list_rows = 0 THEN NULL
                            ELSE coalesce(r.discount_usd, 0) + coalesce(EXCLUDED.discount_usd, 0) END,
        unpriced_rows = r.unpriced_rows + EXCLUDED.unpriced_rows
$q$, p_src, current_schema())
$f$;

-- Static SQL (planned once per session), as V0003's rollup triggers: one function per trigger, over its transition
-- rows; updates and deletions can empty a cell, so they remove the emptied ones.
DO $do$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('inserted', 'SELECT 1 AS sign, * FROM new_rows', ''),
        ('updated', 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows', 'DELETE FROM usage_daily_pricing WHERE list_rows = 0 AND unpriced_rows = 0;'),
        ('deleted', 'SELECT -1 AS sign, * FROM old_rows', 'DELETE FROM usage_daily_pricing WHERE list_rows = 0 AND unpriced_rows = 0;')) AS v(name, src, prune)
    LOOP
        EXECUTE format($f$CREATE FUNCTION usage_pricing_%s() RETURNS trigger LANGUAGE plpgsql AS $b$
BEGIN
    %s;
    %s
    RETURN NULL;
END
$b$$f$, t.name, usage_pricing_sql(t.src), t.prune);
    END LOOP;
END
$do$;

-- The rebuild V0003 defined, now also for usage_daily_pricing (a truncate of token_usage runs it).
CREATE OR REPLACE FUNCTION usage_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_from timestamptz := coalesce((SELECT detail_from FROM retention_horizon), '-infinity');
BEGIN
    DELETE FROM usage_hourly_by_model WHERE hour >= v_from;
    DELETE FROM usage_daily WHERE day >= v_from;
    DELETE FROM usage_daily_by_model WHERE day >= v_from;
    DELETE FROM usage_monthly WHERE month >= v_from;
    DELETE FROM usage_daily_pricing WHERE day >= v_from;
    DELETE FROM usage_dims;
    INSERT INTO usage_dims SELECT DISTINCT source_system, provider, model_id, user_id, project_id FROM usage_daily;
    EXECUTE usage_rollups_sql(format('SELECT 1 AS sign, * FROM %I.token_usage', current_schema()));
    EXECUTE usage_pricing_sql(format('SELECT 1 AS sign, * FROM %I.token_usage', current_schema()));
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION usage_pricing_sql(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_pricing_inserted() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_pricing_updated() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_pricing_deleted() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_rebuild() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- The triggers first: creating them locks token_usage against writers until this migration commits, so the cells
-- filled next from the rows priced since V0004 miss no concurrent write.
CREATE TRIGGER token_usage_pricing_insert AFTER INSERT ON token_usage REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_pricing_inserted();
CREATE TRIGGER token_usage_pricing_update AFTER UPDATE ON token_usage REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_pricing_updated();
CREATE TRIGGER token_usage_pricing_delete AFTER DELETE ON token_usage REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_pricing_deleted();

DO $$
BEGIN
    EXECUTE usage_pricing_sql('SELECT 1 AS sign, * FROM token_usage');
END
$$;
