-- V0003: dashboards that stay instant at a year of data. token_usage becomes range-partitioned by month on
-- window_start; daily and monthly rollups and a dimension table summarise it, kept exact by statement triggers in
-- the transaction of the rows they summarise (DESIGN invariant 17); usage_cells() reads rollups where a range and
-- interval allow and the facts elsewhere; retention_horizon records hourly detail dropped by retention.
-- Upgrades a populated V0002 schema in place: every row keeps its id (call_ledger refers to it), created_at and
-- updated_at; grants on the old table carry over. Immutable once landed. All times are cut on the UTC grid, whatever
-- the session's TimeZone: `x AT TIME ZONE 'UTC'` to a plain timestamp, arithmetic there, and back.

-- 1. The V0002 table steps aside; its indexes go (their names are needed, and the table is dropped below).
ALTER TABLE token_usage RENAME TO token_usage_v2;
ALTER TABLE token_usage_v2 RENAME CONSTRAINT token_usage_pkey TO token_usage_v2_pkey;
ALTER TABLE token_usage_v2 DROP CONSTRAINT IF EXISTS token_usage_conflict_key;
DROP INDEX IF EXISTS token_usage_key_user_project, token_usage_key_user, token_usage_key_project, token_usage_key_org,
    token_usage_window_start_idx, token_usage_source_window_idx, token_usage_provider_model_window_idx, token_usage_user_window_idx;

-- 2. The fact table, partitioned by month of window_start. A partitioned table's unique keys must contain the
-- partition key: the primary key becomes (id, window_start); ids stay unique, drawn from one identity sequence.
-- fillfactor 80 is set on each partition (a partitioned table has no storage of its own).
CREATE TABLE token_usage (
    id                     bigint GENERATED ALWAYS AS IDENTITY,
    source_system          text NOT NULL,
    provider               text NOT NULL,
    model                  text NOT NULL,
    model_id               text NOT NULL,
    project_id             text,
    user_id                text,
    window_start           timestamptz NOT NULL,
    window_end             timestamptz NOT NULL,
    granularity            granularity NOT NULL,
    measurement_basis      measurement_basis NOT NULL,
    input_tokens           bigint,
    cached_read_tokens     bigint,
    cached_write_tokens    bigint,
    cached_write_1h_tokens bigint,
    output_tokens          bigint,
    reasoning_tokens       bigint,
    request_count          bigint,
    cost_usd               numeric(18, 9),
    cost_basis             cost_basis,
    cache_savings_usd      numeric(18, 9),
    raw_usage              jsonb,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT token_usage_pkey PRIMARY KEY (id, window_start),
    CONSTRAINT token_usage_source_not_empty CHECK (source_system <> '' AND model_id <> ''),
    CONSTRAINT token_usage_window_order CHECK (window_end > window_start),
    CONSTRAINT token_usage_counts_non_negative CHECK (
        input_tokens >= 0 AND cached_read_tokens >= 0 AND cached_write_tokens >= 0 AND cached_write_1h_tokens >= 0
        AND output_tokens >= 0 AND reasoning_tokens >= 0 AND request_count >= 0),
    CONSTRAINT token_usage_cache_within_input CHECK (
        coalesce(cached_read_tokens, 0) + coalesce(cached_write_tokens, 0) <= input_tokens),
    CONSTRAINT token_usage_reasoning_within_output CHECK (reasoning_tokens <= output_tokens),
    CONSTRAINT token_usage_1h_within_cache_writes CHECK (
        cached_write_1h_tokens IS NULL OR cached_write_1h_tokens <= cached_write_tokens),
    CONSTRAINT token_usage_cost_non_negative CHECK (cost_usd >= 0 AND cache_savings_usd >= 0),
    CONSTRAINT token_usage_cost_basis_iff_cost CHECK ((cost_usd IS NULL) = (cost_basis IS NULL))
) PARTITION BY RANGE (window_start);

COMMENT ON TABLE token_usage IS
    'AI token usage and cost per (source_system, model_id, window, user_id, project_id). Upserts replace, never add. Partitioned by month of window_start.';
COMMENT ON COLUMN token_usage.input_tokens IS 'All prompt tokens INCLUDING cache reads and writes; NULL = not reported.';
COMMENT ON COLUMN token_usage.cached_read_tokens IS 'Part of input served from a prompt cache; NULL = source does not report it, 0 = reported zero.';
COMMENT ON COLUMN token_usage.cached_write_tokens IS 'Part of input written to a prompt cache (all TTLs); NULL = not reported.';
COMMENT ON COLUMN token_usage.cached_write_1h_tokens IS 'Part of cached_write_tokens written with a 1-hour TTL; NULL = no TTL split reported.';
COMMENT ON COLUMN token_usage.output_tokens IS 'All generated tokens INCLUDING reasoning; NULL = not reported.';
COMMENT ON COLUMN token_usage.reasoning_tokens IS 'Part of output spent on reasoning; NULL = not reported.';
COMMENT ON COLUMN token_usage.cost_usd IS 'USD; NULL = unknown (never 0 for unknown). cost_basis says where it came from.';
COMMENT ON COLUMN token_usage.cache_savings_usd IS 'Estimated: cache reads × (input rate − cache-read rate) from the price table; NULL = unknown.';
COMMENT ON COLUMN token_usage.measurement_basis IS 'exact (per request), provider_aggregate (pre-summed), derived_estimate (from a proxy).';

-- The NULL-aware conflict key, as V0001 chose it for this server: partitioned tables take both forms.
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        -- EXECUTE: PostgreSQL 14 cannot even parse NULLS NOT DISTINCT.
        EXECUTE 'ALTER TABLE token_usage ADD CONSTRAINT token_usage_conflict_key UNIQUE NULLS NOT DISTINCT
            (source_system, model_id, window_start, window_end, user_id, project_id)';
    ELSE
        CREATE UNIQUE INDEX token_usage_key_user_project ON token_usage
            (source_system, model_id, window_start, window_end, user_id, project_id) WHERE user_id IS NOT NULL AND project_id IS NOT NULL;
        CREATE UNIQUE INDEX token_usage_key_user ON token_usage
            (source_system, model_id, window_start, window_end, user_id) WHERE user_id IS NOT NULL AND project_id IS NULL;
        CREATE UNIQUE INDEX token_usage_key_project ON token_usage
            (source_system, model_id, window_start, window_end, project_id) WHERE user_id IS NULL AND project_id IS NOT NULL;
        CREATE UNIQUE INDEX token_usage_key_org ON token_usage
            (source_system, model_id, window_start, window_end) WHERE user_id IS NULL AND project_id IS NULL;
    END IF;
END
$$;

CREATE TRIGGER token_usage_set_updated_at BEFORE UPDATE ON token_usage
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) EXECUTE FUNCTION set_updated_at();

-- 3. Retention: token_usage holds no rows before detail_from (whole months were dropped by retention.hourly_days);
-- the rollups keep their totals. No row: nothing was ever dropped. Writers refuse rows before it, so that a dropped
-- span is never counted twice in the rollups.
CREATE TABLE retention_horizon (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    detail_from timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE retention_horizon IS
    'token_usage holds no rows with window_start before detail_from: older months were dropped by retention; the rollups keep their totals.';

-- 4. Partitions: one per UTC month, token_usage_pYYYYMM. Created as a table of its own and then attached, which takes
-- SHARE UPDATE EXCLUSIVE on token_usage (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE and queue behind
-- any dashboard query); attaching creates its indexes and row trigger. A month before the retention horizon is refused.
CREATE FUNCTION token_usage_partition(p_at timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_start timestamp := date_trunc('month', p_at AT TIME ZONE 'UTC');
    v_name text := 'token_usage_p' || to_char(v_start, 'YYYYMM');
    v_schema text := current_schema();
BEGIN
    IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN RETURN false; END IF;
    IF EXISTS (SELECT 1 FROM retention_horizon WHERE detail_from > v_start AT TIME ZONE 'UTC') THEN
        RAISE EXCEPTION 'no partition for % is created: hourly detail before % was dropped by retention',
            to_char(v_start, 'YYYY-MM'), (SELECT detail_from FROM retention_horizon)
            USING HINT = 'rows before the retention horizon are summed in the rollups already; writing them again would count them twice';
    END IF;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.token_usage INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (fillfactor = 80)',
        v_schema, v_name, v_schema);
    EXECUTE format('ALTER TABLE %I.token_usage ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', v_schema, v_schema, v_name,
        v_start AT TIME ZONE 'UTC', (v_start + interval '1 month') AT TIME ZONE 'UTC');
    RETURN true;
END
$$;
COMMENT ON FUNCTION token_usage_partition(timestamptz) IS
    'Creates the month partition of token_usage holding p_at (UTC) unless it exists; true when created. Called by migrate, collect and the writer.';

-- 5. The rollups. A cell sums the rows of one UTC hour, day or month (of window_start) with the same labels: all of them
-- (usage_daily, usage_monthly) or all but user and project (usage_hourly_by_model, usage_daily_by_model: small enough
-- for any range, and enough for every panel that neither groups nor filters by user or project). Each metric keeps its
-- sum and how many rows reported it (*_rows): the sum is NULL when no row under the cell reported it, as a sum over the
-- rows would be, and 0 < x_rows < rows says the cell is partial. cache_reported_* sum the rows that report both
-- cached_read_tokens and input_tokens (cache hit ratios), reasoning_reported_* those that report both reasoning_tokens
-- and output_tokens. Sums are bigint (numeric for USD): a sum past bigint fails the write, it never wraps.
CREATE TABLE usage_daily (
    day timestamptz NOT NULL,
    source_system text NOT NULL,
    provider text NOT NULL,
    model_id text NOT NULL,
    user_id text,
    project_id text,
    measurement_basis measurement_basis NOT NULL,
    cost_basis cost_basis,
    rows bigint NOT NULL, input_tokens bigint, input_rows bigint NOT NULL, cached_read_tokens bigint,
    cached_read_rows bigint NOT NULL, cached_write_tokens bigint, cached_write_rows bigint NOT NULL,
    cached_write_1h_tokens bigint, cached_write_1h_rows bigint NOT NULL, output_tokens bigint,
    output_rows bigint NOT NULL, reasoning_tokens bigint, reasoning_rows bigint NOT NULL, request_count bigint,
    request_rows bigint NOT NULL, cost_usd numeric, cost_rows bigint NOT NULL, cache_savings_usd numeric,
    cache_savings_rows bigint NOT NULL, cache_reported_rows bigint NOT NULL, cache_reported_input_tokens bigint,
    cache_reported_read_tokens bigint, reasoning_reported_rows bigint NOT NULL,
    reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint
) WITH (fillfactor = 90);
CREATE TABLE usage_monthly (
    month timestamptz NOT NULL,
    source_system text NOT NULL,
    provider text NOT NULL,
    model_id text NOT NULL,
    user_id text,
    project_id text,
    measurement_basis measurement_basis NOT NULL,
    cost_basis cost_basis,
    rows bigint NOT NULL, input_tokens bigint, input_rows bigint NOT NULL, cached_read_tokens bigint,
    cached_read_rows bigint NOT NULL, cached_write_tokens bigint, cached_write_rows bigint NOT NULL,
    cached_write_1h_tokens bigint, cached_write_1h_rows bigint NOT NULL, output_tokens bigint,
    output_rows bigint NOT NULL, reasoning_tokens bigint, reasoning_rows bigint NOT NULL, request_count bigint,
    request_rows bigint NOT NULL, cost_usd numeric, cost_rows bigint NOT NULL, cache_savings_usd numeric,
    cache_savings_rows bigint NOT NULL, cache_reported_rows bigint NOT NULL, cache_reported_input_tokens bigint,
    cache_reported_read_tokens bigint, reasoning_reported_rows bigint NOT NULL,
    reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint
) WITH (fillfactor = 90);
CREATE TABLE usage_daily_by_model (
    day timestamptz NOT NULL,
    source_system text NOT NULL,
    provider text NOT NULL,
    model_id text NOT NULL,
    measurement_basis measurement_basis NOT NULL,
    cost_basis cost_basis,
    rows bigint NOT NULL, input_tokens bigint, input_rows bigint NOT NULL, cached_read_tokens bigint,
    cached_read_rows bigint NOT NULL, cached_write_tokens bigint, cached_write_rows bigint NOT NULL,
    cached_write_1h_tokens bigint, cached_write_1h_rows bigint NOT NULL, output_tokens bigint,
    output_rows bigint NOT NULL, reasoning_tokens bigint, reasoning_rows bigint NOT NULL, request_count bigint,
    request_rows bigint NOT NULL, cost_usd numeric, cost_rows bigint NOT NULL, cache_savings_usd numeric,
    cache_savings_rows bigint NOT NULL, cache_reported_rows bigint NOT NULL, cache_reported_input_tokens bigint,
    cache_reported_read_tokens bigint, reasoning_reported_rows bigint NOT NULL,
    reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint
) WITH (fillfactor = 90);
CREATE TABLE usage_hourly_by_model (
    hour timestamptz NOT NULL,
    source_system text NOT NULL,
    provider text NOT NULL,
    model_id text NOT NULL,
    measurement_basis measurement_basis NOT NULL,
    cost_basis cost_basis,
    rows bigint NOT NULL, input_tokens bigint, input_rows bigint NOT NULL, cached_read_tokens bigint,
    cached_read_rows bigint NOT NULL, cached_write_tokens bigint, cached_write_rows bigint NOT NULL,
    cached_write_1h_tokens bigint, cached_write_1h_rows bigint NOT NULL, output_tokens bigint,
    output_rows bigint NOT NULL, reasoning_tokens bigint, reasoning_rows bigint NOT NULL, request_count bigint,
    request_rows bigint NOT NULL, cost_usd numeric, cost_rows bigint NOT NULL, cache_savings_usd numeric,
    cache_savings_rows bigint NOT NULL, cache_reported_rows bigint NOT NULL, cache_reported_input_tokens bigint,
    cache_reported_read_tokens bigint, reasoning_reported_rows bigint NOT NULL,
    reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint
) WITH (fillfactor = 90);

-- One key per cell on every server version: NULL user, project and cost_basis are told apart by the IS NULL flags
-- (a partial-index set like token_usage's would need up to eight per table). Leading with the time, it serves ranges.
CREATE UNIQUE INDEX usage_daily_key ON usage_daily (day, source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL), (coalesce(project_id, '')), (project_id IS NULL), measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL));
CREATE UNIQUE INDEX usage_monthly_key ON usage_monthly (month, source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL), (coalesce(project_id, '')), (project_id IS NULL), measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL));
CREATE UNIQUE INDEX usage_daily_by_model_key ON usage_daily_by_model (day, source_system, provider, model_id, measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL));
CREATE UNIQUE INDEX usage_hourly_by_model_key ON usage_hourly_by_model (hour, source_system, provider, model_id, measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL));

COMMENT ON TABLE usage_daily IS
    'token_usage summed per UTC day of window_start and every label; kept exact by triggers. Before retention_horizon it keeps the totals of dropped rows.';
COMMENT ON TABLE usage_monthly IS 'usage_daily summed per UTC month.';
COMMENT ON TABLE usage_daily_by_model IS 'usage_daily summed over users and projects.';
COMMENT ON TABLE usage_hourly_by_model IS 'token_usage summed per UTC hour of window_start and every label but user and project.';

-- The labels the dashboards' variables offer: every combination the rollups hold. A set, not a count: a write adds the
-- combinations it brings (a lookup when they are there already), and only a write that empties a monthly cell looks
-- for combinations left without any.
CREATE TABLE usage_dims (
    source_system text NOT NULL,
    provider      text NOT NULL,
    model_id      text NOT NULL,
    user_id       text,
    project_id    text
);
CREATE UNIQUE INDEX usage_dims_key ON usage_dims (source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL),
    (coalesce(project_id, '')), (project_id IS NULL));
COMMENT ON TABLE usage_dims IS 'Every source/provider/model/user/project combination in usage_daily: what the dashboard variables list.';

-- 6. Keeping them exact. usage_rollups_sql(src) is the statement that adds signed rows (src yields sign and the
-- columns of token_usage) to every rollup: grouped per cell, ordered by key (concurrent writers lock cells in one
-- order), cells whose change is nil left alone; a sum becomes NULL again when its last reporting row goes. The
-- statement triggers run it over their transition tables, in the statement's transaction; usage_rollups_rebuild()
-- over the whole table.
CREATE FUNCTION usage_rollups_sql(p_src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
WITH src AS (%1$s),
delta AS (
    SELECT date_trunc('day', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
           source_system, provider, model_id, user_id, project_id, measurement_basis, cost_basis,
           sum(sign) AS rows, sum(sign * input_tokens) AS input_tokens,
           sum(sign * (input_tokens IS NOT NULL)::int) AS input_rows,
           sum(sign * cached_read_tokens) AS cached_read_tokens,
           sum(sign * (cached_read_tokens IS NOT NULL)::int) AS cached_read_rows,
           sum(sign * cached_write_tokens) AS cached_write_tokens,
           sum(sign * (cached_write_tokens IS NOT NULL)::int) AS cached_write_rows,
           sum(sign * cached_write_1h_tokens) AS cached_write_1h_tokens,
           sum(sign * (cached_write_1h_tokens IS NOT NULL)::int) AS cached_write_1h_rows,
           sum(sign * output_tokens) AS output_tokens, sum(sign * (output_tokens IS NOT NULL)::int) AS output_rows,
           sum(sign * reasoning_tokens) AS reasoning_tokens,
           sum(sign * (reasoning_tokens IS NOT NULL)::int) AS reasoning_rows,
           sum(sign * request_count) AS request_count, sum(sign * (request_count IS NOT NULL)::int) AS request_rows,
           sum(sign * cost_usd) AS cost_usd, sum(sign * (cost_usd IS NOT NULL)::int) AS cost_rows,
           sum(sign * cache_savings_usd) AS cache_savings_usd,
           sum(sign * (cache_savings_usd IS NOT NULL)::int) AS cache_savings_rows,
           sum(sign * (cached_read_tokens IS NOT NULL AND input_tokens IS NOT NULL)::int) AS cache_reported_rows,
           sum(sign * input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL) AS cache_reported_input_tokens,
           sum(sign * cached_read_tokens) FILTER (WHERE input_tokens IS NOT NULL) AS cache_reported_read_tokens,
           sum(sign * (reasoning_tokens IS NOT NULL AND output_tokens IS NOT NULL)::int) AS reasoning_reported_rows,
           sum(sign * output_tokens) FILTER (WHERE reasoning_tokens IS NOT NULL) AS reasoning_reported_output_tokens,
           sum(sign * reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL) AS reasoning_reported_tokens
    FROM src GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING coalesce(sum(sign), 0) <> 0 OR coalesce(sum(sign * input_tokens), 0) <> 0
        OR coalesce(sum(sign * (input_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_read_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_read_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_write_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_write_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_write_1h_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_write_1h_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * output_tokens), 0) <> 0 OR coalesce(sum(sign * (output_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * reasoning_tokens), 0) <> 0
        OR coalesce(sum(sign * (reasoning_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * request_count), 0) <> 0 OR coalesce(sum(sign * (request_count IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cost_usd), 0) <> 0 OR coalesce(sum(sign * (cost_usd IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cache_savings_usd), 0) <> 0
        OR coalesce(sum(sign * (cache_savings_usd IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * (cached_read_tokens IS NOT NULL AND input_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * cached_read_tokens) FILTER (WHERE input_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * (reasoning_tokens IS NOT NULL AND output_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * output_tokens) FILTER (WHERE reasoning_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL), 0) <> 0
),
hdelta AS (
    SELECT date_trunc('hour', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
           source_system, provider, model_id, measurement_basis, cost_basis,
           sum(sign) AS rows, sum(sign * input_tokens) AS input_tokens,
           sum(sign * (input_tokens IS NOT NULL)::int) AS input_rows,
           sum(sign * cached_read_tokens) AS cached_read_tokens,
           sum(sign * (cached_read_tokens IS NOT NULL)::int) AS cached_read_rows,
           sum(sign * cached_write_tokens) AS cached_write_tokens,
           sum(sign * (cached_write_tokens IS NOT NULL)::int) AS cached_write_rows,
           sum(sign * cached_write_1h_tokens) AS cached_write_1h_tokens,
           sum(sign * (cached_write_1h_tokens IS NOT NULL)::int) AS cached_write_1h_rows,
           sum(sign * output_tokens) AS output_tokens, sum(sign * (output_tokens IS NOT NULL)::int) AS output_rows,
           sum(sign * reasoning_tokens) AS reasoning_tokens,
           sum(sign * (reasoning_tokens IS NOT NULL)::int) AS reasoning_rows,
           sum(sign * request_count) AS request_count, sum(sign * (request_count IS NOT NULL)::int) AS request_rows,
           sum(sign * cost_usd) AS cost_usd, sum(sign * (cost_usd IS NOT NULL)::int) AS cost_rows,
           sum(sign * cache_savings_usd) AS cache_savings_usd,
           sum(sign * (cache_savings_usd IS NOT NULL)::int) AS cache_savings_rows,
           sum(sign * (cached_read_tokens IS NOT NULL AND input_tokens IS NOT NULL)::int) AS cache_reported_rows,
           sum(sign * input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL) AS cache_reported_input_tokens,
           sum(sign * cached_read_tokens) FILTER (WHERE input_tokens IS NOT NULL) AS cache_reported_read_tokens,
           sum(sign * (reasoning_tokens IS NOT NULL AND output_tokens IS NOT NULL)::int) AS reasoning_reported_rows,
           sum(sign * output_tokens) FILTER (WHERE reasoning_tokens IS NOT NULL) AS reasoning_reported_output_tokens,
           sum(sign * reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL) AS reasoning_reported_tokens
    FROM src GROUP BY 1, 2, 3, 4, 5, 6
    HAVING coalesce(sum(sign), 0) <> 0 OR coalesce(sum(sign * input_tokens), 0) <> 0
        OR coalesce(sum(sign * (input_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_read_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_read_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_write_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_write_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cached_write_1h_tokens), 0) <> 0
        OR coalesce(sum(sign * (cached_write_1h_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * output_tokens), 0) <> 0 OR coalesce(sum(sign * (output_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * reasoning_tokens), 0) <> 0
        OR coalesce(sum(sign * (reasoning_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * request_count), 0) <> 0 OR coalesce(sum(sign * (request_count IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cost_usd), 0) <> 0 OR coalesce(sum(sign * (cost_usd IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * cache_savings_usd), 0) <> 0
        OR coalesce(sum(sign * (cache_savings_usd IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * (cached_read_tokens IS NOT NULL AND input_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * input_tokens) FILTER (WHERE cached_read_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * cached_read_tokens) FILTER (WHERE input_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * (reasoning_tokens IS NOT NULL AND output_tokens IS NOT NULL)::int), 0) <> 0
        OR coalesce(sum(sign * output_tokens) FILTER (WHERE reasoning_tokens IS NOT NULL), 0) <> 0
        OR coalesce(sum(sign * reasoning_tokens) FILTER (WHERE output_tokens IS NOT NULL), 0) <> 0
),
daily AS (
    INSERT INTO %2$I.usage_daily AS r
    SELECT * FROM delta ORDER BY day, source_system, provider, model_id, user_id, project_id, measurement_basis, cost_basis
    ON CONFLICT (day, source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL), (coalesce(project_id, '')), (project_id IS NULL), measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL))
    DO UPDATE SET %3$s
),
monthly AS (
    INSERT INTO %2$I.usage_monthly AS r
    SELECT date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', source_system, provider, model_id, user_id, project_id, measurement_basis, cost_basis,
           sum(rows), sum(input_tokens), sum(input_rows), sum(cached_read_tokens), sum(cached_read_rows),
           sum(cached_write_tokens), sum(cached_write_rows), sum(cached_write_1h_tokens), sum(cached_write_1h_rows),
           sum(output_tokens), sum(output_rows), sum(reasoning_tokens), sum(reasoning_rows), sum(request_count),
           sum(request_rows), sum(cost_usd), sum(cost_rows), sum(cache_savings_usd), sum(cache_savings_rows),
           sum(cache_reported_rows), sum(cache_reported_input_tokens), sum(cache_reported_read_tokens),
           sum(reasoning_reported_rows), sum(reasoning_reported_output_tokens), sum(reasoning_reported_tokens)
    FROM delta GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (month, source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL), (coalesce(project_id, '')), (project_id IS NULL), measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL))
    DO UPDATE SET %3$s
),
daily_models AS (
    INSERT INTO %2$I.usage_daily_by_model AS r
    SELECT day, source_system, provider, model_id, measurement_basis, cost_basis,
           sum(rows), sum(input_tokens), sum(input_rows), sum(cached_read_tokens), sum(cached_read_rows),
           sum(cached_write_tokens), sum(cached_write_rows), sum(cached_write_1h_tokens), sum(cached_write_1h_rows),
           sum(output_tokens), sum(output_rows), sum(reasoning_tokens), sum(reasoning_rows), sum(request_count),
           sum(request_rows), sum(cost_usd), sum(cost_rows), sum(cache_savings_usd), sum(cache_savings_rows),
           sum(cache_reported_rows), sum(cache_reported_input_tokens), sum(cache_reported_read_tokens),
           sum(reasoning_reported_rows), sum(reasoning_reported_output_tokens), sum(reasoning_reported_tokens)
    FROM delta GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, source_system, provider, model_id, measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL))
    DO UPDATE SET %3$s
),
hourly AS (
    INSERT INTO %2$I.usage_hourly_by_model AS r
    SELECT * FROM hdelta ORDER BY hour, source_system, provider, model_id, measurement_basis, cost_basis
    ON CONFLICT (hour, source_system, provider, model_id, measurement_basis, (coalesce(cost_basis, 'computed')), (cost_basis IS NULL))
    DO UPDATE SET %3$s
)
INSERT INTO %2$I.usage_dims
SELECT DISTINCT source_system, provider, model_id, user_id, project_id FROM delta WHERE rows > 0 ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (source_system, provider, model_id, (coalesce(user_id, '')), (user_id IS NULL), (coalesce(project_id, '')), (project_id IS NULL))
DO NOTHING
$q$, p_src, current_schema(), (
    SELECT string_agg(CASE WHEN c = '' THEN format('%1$I = r.%1$I + EXCLUDED.%1$I', m)
        ELSE format('%1$I = CASE WHEN r.%2$I + EXCLUDED.%2$I = 0 THEN NULL ELSE coalesce(r.%1$I, 0) + coalesce(EXCLUDED.%1$I, 0) END', m, c) END, ', ')
    FROM (VALUES ('rows', ''), ('input_tokens', 'input_rows'), ('input_rows', ''), ('cached_read_tokens', 'cached_read_rows'), ('cached_read_rows', ''), ('cached_write_tokens', 'cached_write_rows'), ('cached_write_rows', ''), ('cached_write_1h_tokens', 'cached_write_1h_rows'), ('cached_write_1h_rows', ''), ('output_tokens', 'output_rows'), ('output_rows', ''), ('reasoning_tokens', 'reasoning_rows'), ('reasoning_rows', ''), ('request_count', 'request_rows'), ('request_rows', ''), ('cost_usd', 'cost_rows'), ('cost_rows', ''), ('cache_savings_usd', 'cache_savings_rows'), ('cache_savings_rows', ''), ('cache_reported_rows', ''), ('cache_reported_input_tokens', 'cache_reported_rows'), ('cache_reported_read_tokens', 'cache_reported_rows'), ('reasoning_reported_rows', ''), ('reasoning_reported_output_tokens', 'reasoning_reported_rows'), ('reasoning_reported_tokens', 'reasoning_reported_rows')) AS measures(m, c)))
$f$;

-- The statement triggers: static SQL, so each session plans it once (EXECUTE would plan it for every statement, and
-- the collector writes a window per statement). A cell that has lost its last row goes: a rollup holds exactly the
-- cells the facts have.
DO $do$
DECLARE
    v_prune text := $p$
    SELECT min(window_start), max(window_start) INTO v_from, v_to FROM old_rows;
    DELETE FROM usage_hourly_by_model WHERE hour >= date_trunc('hour', v_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND hour <= v_to AND rows = 0;
    DELETE FROM usage_daily WHERE day >= date_trunc('day', v_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND day <= v_to AND rows = 0;
    DELETE FROM usage_daily_by_model WHERE day >= date_trunc('day', v_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND day <= v_to AND rows = 0;
    DELETE FROM usage_monthly WHERE month >= date_trunc('month', v_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND month <= v_to AND rows = 0;
    GET DIAGNOSTICS v_emptied = ROW_COUNT;
    IF v_emptied > 0 THEN
        DELETE FROM usage_dims k WHERE NOT EXISTS (SELECT FROM usage_monthly m
            WHERE (m.source_system, m.provider, m.model_id, coalesce(m.user_id, ''), m.user_id IS NULL, coalesce(m.project_id, ''), m.project_id IS NULL)
                = (k.source_system, k.provider, k.model_id, coalesce(k.user_id, ''), k.user_id IS NULL, coalesce(k.project_id, ''), k.project_id IS NULL));
    END IF;$p$;
BEGIN
    EXECUTE format($f$CREATE FUNCTION usage_rollups_inserted() RETURNS trigger LANGUAGE plpgsql AS $b$
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows) THEN RETURN NULL; END IF;
    %s;
    RETURN NULL;
END
$b$$f$, usage_rollups_sql('SELECT 1 AS sign, * FROM new_rows'));
    -- An update that changes no row's labels or hour (a window collected again) leaves every cell with its rows: no cell
    -- can have emptied, and the search for empty cells is skipped. (count, not EXISTS: for EXISTS the planner bets on an
    -- early match and nests the loop, quadratic when, as usual, nothing changed.)
    EXECUTE format($f$CREATE FUNCTION usage_rollups_updated() RETURNS trigger LANGUAGE plpgsql AS $b$
DECLARE
    v_from timestamptz;
    v_to timestamptz;
    v_emptied bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM old_rows) THEN RETURN NULL; END IF;
    %s;
    IF (SELECT count(*) FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.source_system, o.provider, o.model_id, o.user_id, o.project_id, o.measurement_basis, o.cost_basis,
               date_trunc('hour', o.window_start AT TIME ZONE 'UTC'))
              IS DISTINCT FROM (n.source_system, n.provider, n.model_id, n.user_id, n.project_id, n.measurement_basis, n.cost_basis,
               date_trunc('hour', n.window_start AT TIME ZONE 'UTC'))) = 0 THEN
        RETURN NULL;
    END IF;%s
    RETURN NULL;
END
$b$$f$, usage_rollups_sql('SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'), v_prune);
    EXECUTE format($f$CREATE FUNCTION usage_rollups_deleted() RETURNS trigger LANGUAGE plpgsql AS $b$
DECLARE
    v_from timestamptz;
    v_to timestamptz;
    v_emptied bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM old_rows) THEN RETURN NULL; END IF;
    %s;%s
    RETURN NULL;
END
$b$$f$, usage_rollups_sql('SELECT -1 AS sign, * FROM old_rows'), v_prune);
END
$do$;

-- Recomputes the rollups of the retained months from token_usage (the days before the retention horizon keep the
-- totals of their dropped rows). For a rollup that `verify` found out of step, e.g. after a partition was truncated by hand.
CREATE FUNCTION usage_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_from timestamptz := coalesce((SELECT detail_from FROM retention_horizon), '-infinity');
BEGIN
    DELETE FROM usage_hourly_by_model WHERE hour >= v_from;
    DELETE FROM usage_daily WHERE day >= v_from;
    DELETE FROM usage_daily_by_model WHERE day >= v_from;
    DELETE FROM usage_monthly WHERE month >= v_from;
    DELETE FROM usage_dims;
    INSERT INTO usage_dims SELECT DISTINCT source_system, provider, model_id, user_id, project_id FROM usage_daily;
    EXECUTE usage_rollups_sql(format('SELECT 1 AS sign, * FROM %I.token_usage', current_schema()));
END
$$;

-- TRUNCATE fires no row or statement DELETE trigger: the rollups of the retained months are emptied with the facts.
CREATE FUNCTION usage_rollups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM usage_rollups_rebuild();
    RETURN NULL;
END
$$;

-- The functions name the schema they were created in, whatever search_path their caller has.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION token_usage_partition(timestamptz) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_sql(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_inserted() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_updated() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_deleted() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_rebuild() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION usage_rollups_truncated() SET search_path = %I, pg_temp', current_schema());
END
$$;
-- Writing functions are for the schema's owner and writers, not the read-only Grafana role.
REVOKE EXECUTE ON FUNCTION token_usage_partition(timestamptz), usage_rollups_rebuild() FROM PUBLIC;

-- 7. The dashboards' readers. usage_cells(from, to, bucket_ms, sources, providers, models, users, projects) yields, for
-- window_start in [from, to] (both included, like Grafana's $__timeFilter) and the labels given (NULL = any; users and
-- projects as the dashboards label them, '(org)' and '(none)' for NULL), rows shaped like usage_daily: sums with their
-- row counts. Summing them gives exactly what summing token_usage would. bucket_ms is the time grouping the caller
-- applies: 0 = none (whole months come from usage_monthly, the other whole days from usage_daily), a multiple of a day
-- (whole days from usage_daily), anything else (token_usage only); the partial days at either end come from
-- token_usage. usage_cells_by_model(…) is the same without user and project: when every user and project is asked for
-- (the variables at All), it reads usage_hourly_by_model for whole hours and usage_daily_by_model for whole days, with
-- token_usage for the partial hours; otherwise it reads as usage_cells does. A label filter that lets every label of
-- usage_dims through is skipped. Plain SQL functions, so Postgres inlines them: the constant arguments drop the
-- branches that do not apply and prune token_usage to the months of the range before the query runs.
DO $do$
BEGIN
    EXECUTE format($f$
CREATE FUNCTION usage_cells(p_from timestamptz, p_to timestamptz, p_bucket_ms bigint,
    p_sources text[], p_providers text[], p_models text[], p_users text[], p_projects text[])
RETURNS TABLE (
    window_start timestamptz, source_system text, provider text, model_id text, user_id text, project_id text,
    measurement_basis %1$I.measurement_basis, cost_basis %1$I.cost_basis, rows bigint, input_tokens bigint,
    input_rows bigint, cached_read_tokens bigint, cached_read_rows bigint, cached_write_tokens bigint,
    cached_write_rows bigint, cached_write_1h_tokens bigint, cached_write_1h_rows bigint, output_tokens bigint,
    output_rows bigint, reasoning_tokens bigint, reasoning_rows bigint, request_count bigint, request_rows bigint,
    cost_usd numeric, cost_rows bigint, cache_savings_usd numeric, cache_savings_rows bigint,
    cache_reported_rows bigint, cache_reported_input_tokens bigint, cache_reported_read_tokens bigint,
    reasoning_reported_rows bigint, reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint)
LANGUAGE sql STABLE AS $b$
    SELECT t.window_start, t.source_system, t.provider, t.model_id, t.user_id, t.project_id, t.measurement_basis,
           t.cost_basis, 1::bigint, t.input_tokens::bigint, (t.input_tokens IS NOT NULL)::int::bigint,
           t.cached_read_tokens::bigint, (t.cached_read_tokens IS NOT NULL)::int::bigint,
           t.cached_write_tokens::bigint, (t.cached_write_tokens IS NOT NULL)::int::bigint,
           t.cached_write_1h_tokens::bigint, (t.cached_write_1h_tokens IS NOT NULL)::int::bigint,
           t.output_tokens::bigint, (t.output_tokens IS NOT NULL)::int::bigint, t.reasoning_tokens::bigint,
           (t.reasoning_tokens IS NOT NULL)::int::bigint, t.request_count::bigint,
           (t.request_count IS NOT NULL)::int::bigint, t.cost_usd::numeric, (t.cost_usd IS NOT NULL)::int::bigint,
           t.cache_savings_usd::numeric, (t.cache_savings_usd IS NOT NULL)::int::bigint,
           (t.cached_read_tokens IS NOT NULL AND t.input_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.cached_read_tokens IS NOT NULL THEN t.input_tokens END,
           CASE WHEN t.input_tokens IS NOT NULL THEN t.cached_read_tokens END,
           (t.reasoning_tokens IS NOT NULL AND t.output_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.reasoning_tokens IS NOT NULL THEN t.output_tokens END,
           CASE WHEN t.output_tokens IS NOT NULL THEN t.reasoning_tokens END
    FROM %1$I.token_usage t, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE ((p_bucket_ms %% 86400000 <> 0 AND t.window_start BETWEEN p_from AND p_to)
       OR (p_bucket_ms %% 86400000 = 0 AND t.window_start >= p_from
           AND t.window_start < least((date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC', ((p_to AT TIME ZONE 'UTC') + interval '1 microsecond') AT TIME ZONE 'UTC'))
       OR (p_bucket_ms %% 86400000 = 0 AND t.window_start >= greatest(date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p_from)
           AND t.window_start <= p_to))
      AND (f.all_sources OR t.source_system = ANY (p_sources)) AND (f.all_providers OR t.provider = ANY (p_providers))
      AND (f.all_models OR t.model_id = ANY (p_models)) AND (f.all_users OR coalesce(t.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(t.project_id, '(none)') = ANY (p_projects))
    UNION ALL
    SELECT d.day, d.source_system, d.provider, d.model_id, d.user_id, d.project_id, d.measurement_basis, d.cost_basis,
           d.rows, d.input_tokens, d.input_rows, d.cached_read_tokens, d.cached_read_rows, d.cached_write_tokens,
           d.cached_write_rows, d.cached_write_1h_tokens, d.cached_write_1h_rows, d.output_tokens, d.output_rows,
           d.reasoning_tokens, d.reasoning_rows, d.request_count, d.request_rows, d.cost_usd, d.cost_rows,
           d.cache_savings_usd, d.cache_savings_rows, d.cache_reported_rows, d.cache_reported_input_tokens,
           d.cache_reported_read_tokens, d.reasoning_reported_rows, d.reasoning_reported_output_tokens,
           d.reasoning_reported_tokens
    FROM %1$I.usage_daily d, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms %% 86400000 = 0 AND d.day >= (date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC' AND d.day < date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND (p_bucket_ms <> 0 OR d.day < (date_trunc('month', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 month') AT TIME ZONE 'UTC' OR d.day >= date_trunc('month', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
      AND (f.all_sources OR d.source_system = ANY (p_sources)) AND (f.all_providers OR d.provider = ANY (p_providers))
      AND (f.all_models OR d.model_id = ANY (p_models)) AND (f.all_users OR coalesce(d.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(d.project_id, '(none)') = ANY (p_projects))
    UNION ALL
    SELECT m.month, m.source_system, m.provider, m.model_id, m.user_id, m.project_id, m.measurement_basis,
           m.cost_basis, m.rows, m.input_tokens, m.input_rows, m.cached_read_tokens, m.cached_read_rows,
           m.cached_write_tokens, m.cached_write_rows, m.cached_write_1h_tokens, m.cached_write_1h_rows,
           m.output_tokens, m.output_rows, m.reasoning_tokens, m.reasoning_rows, m.request_count, m.request_rows,
           m.cost_usd, m.cost_rows, m.cache_savings_usd, m.cache_savings_rows, m.cache_reported_rows,
           m.cache_reported_input_tokens, m.cache_reported_read_tokens, m.reasoning_reported_rows,
           m.reasoning_reported_output_tokens, m.reasoning_reported_tokens
    FROM %1$I.usage_monthly m, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms = 0 AND m.month >= (date_trunc('month', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 month') AT TIME ZONE 'UTC' AND m.month < date_trunc('month', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND (f.all_sources OR m.source_system = ANY (p_sources)) AND (f.all_providers OR m.provider = ANY (p_providers))
      AND (f.all_models OR m.model_id = ANY (p_models)) AND (f.all_users OR coalesce(m.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(m.project_id, '(none)') = ANY (p_projects))
$b$
$f$, current_schema());
    EXECUTE format($f$
CREATE FUNCTION usage_cells_by_model(p_from timestamptz, p_to timestamptz, p_bucket_ms bigint,
    p_sources text[], p_providers text[], p_models text[], p_users text[], p_projects text[])
RETURNS TABLE (
    window_start timestamptz, source_system text, provider text, model_id text,
    measurement_basis %1$I.measurement_basis, cost_basis %1$I.cost_basis, rows bigint, input_tokens bigint,
    input_rows bigint, cached_read_tokens bigint, cached_read_rows bigint, cached_write_tokens bigint,
    cached_write_rows bigint, cached_write_1h_tokens bigint, cached_write_1h_rows bigint, output_tokens bigint,
    output_rows bigint, reasoning_tokens bigint, reasoning_rows bigint, request_count bigint, request_rows bigint,
    cost_usd numeric, cost_rows bigint, cache_savings_usd numeric, cache_savings_rows bigint,
    cache_reported_rows bigint, cache_reported_input_tokens bigint, cache_reported_read_tokens bigint,
    reasoning_reported_rows bigint, reasoning_reported_output_tokens bigint, reasoning_reported_tokens bigint)
LANGUAGE sql STABLE AS $b$
    SELECT t.window_start, t.source_system, t.provider, t.model_id, t.measurement_basis, t.cost_basis, 1::bigint,
           t.input_tokens::bigint, (t.input_tokens IS NOT NULL)::int::bigint, t.cached_read_tokens::bigint,
           (t.cached_read_tokens IS NOT NULL)::int::bigint, t.cached_write_tokens::bigint,
           (t.cached_write_tokens IS NOT NULL)::int::bigint, t.cached_write_1h_tokens::bigint,
           (t.cached_write_1h_tokens IS NOT NULL)::int::bigint, t.output_tokens::bigint,
           (t.output_tokens IS NOT NULL)::int::bigint, t.reasoning_tokens::bigint,
           (t.reasoning_tokens IS NOT NULL)::int::bigint, t.request_count::bigint,
           (t.request_count IS NOT NULL)::int::bigint, t.cost_usd::numeric, (t.cost_usd IS NOT NULL)::int::bigint,
           t.cache_savings_usd::numeric, (t.cache_savings_usd IS NOT NULL)::int::bigint,
           (t.cached_read_tokens IS NOT NULL AND t.input_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.cached_read_tokens IS NOT NULL THEN t.input_tokens END,
           CASE WHEN t.input_tokens IS NOT NULL THEN t.cached_read_tokens END,
           (t.reasoning_tokens IS NOT NULL AND t.output_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.reasoning_tokens IS NOT NULL THEN t.output_tokens END,
           CASE WHEN t.output_tokens IS NOT NULL THEN t.reasoning_tokens END
    FROM %1$I.token_usage t, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE ((p_bucket_ms %% 3600000 <> 0 AND t.window_start BETWEEN p_from AND p_to)
       OR (p_bucket_ms %% 3600000 = 0 AND t.window_start >= p_from
           AND t.window_start < least((date_trunc('hour', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 hour') AT TIME ZONE 'UTC', ((p_to AT TIME ZONE 'UTC') + interval '1 microsecond') AT TIME ZONE 'UTC'))
       OR (p_bucket_ms %% 3600000 = 0 AND t.window_start >= greatest(date_trunc('hour', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p_from)
           AND t.window_start <= p_to)) AND f.all_users AND f.all_projects
      AND (f.all_sources OR t.source_system = ANY (p_sources)) AND (f.all_providers OR t.provider = ANY (p_providers)) AND (f.all_models OR t.model_id = ANY (p_models))
    UNION ALL
    SELECT h.hour, h.source_system, h.provider, h.model_id, h.measurement_basis, h.cost_basis, h.rows, h.input_tokens,
           h.input_rows, h.cached_read_tokens, h.cached_read_rows, h.cached_write_tokens, h.cached_write_rows,
           h.cached_write_1h_tokens, h.cached_write_1h_rows, h.output_tokens, h.output_rows, h.reasoning_tokens,
           h.reasoning_rows, h.request_count, h.request_rows, h.cost_usd, h.cost_rows, h.cache_savings_usd,
           h.cache_savings_rows, h.cache_reported_rows, h.cache_reported_input_tokens, h.cache_reported_read_tokens,
           h.reasoning_reported_rows, h.reasoning_reported_output_tokens, h.reasoning_reported_tokens
    FROM %1$I.usage_hourly_by_model h, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms %% 3600000 = 0 AND h.hour >= (date_trunc('hour', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 hour') AT TIME ZONE 'UTC' AND h.hour < date_trunc('hour', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND (p_bucket_ms %% 86400000 <> 0 OR h.hour < (date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC' OR h.hour >= date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
      AND f.all_users AND f.all_projects
      AND (f.all_sources OR h.source_system = ANY (p_sources)) AND (f.all_providers OR h.provider = ANY (p_providers)) AND (f.all_models OR h.model_id = ANY (p_models))
    UNION ALL
    SELECT b.day, b.source_system, b.provider, b.model_id, b.measurement_basis, b.cost_basis, b.rows, b.input_tokens,
           b.input_rows, b.cached_read_tokens, b.cached_read_rows, b.cached_write_tokens, b.cached_write_rows,
           b.cached_write_1h_tokens, b.cached_write_1h_rows, b.output_tokens, b.output_rows, b.reasoning_tokens,
           b.reasoning_rows, b.request_count, b.request_rows, b.cost_usd, b.cost_rows, b.cache_savings_usd,
           b.cache_savings_rows, b.cache_reported_rows, b.cache_reported_input_tokens, b.cache_reported_read_tokens,
           b.reasoning_reported_rows, b.reasoning_reported_output_tokens, b.reasoning_reported_tokens
    FROM %1$I.usage_daily_by_model b, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms %% 86400000 = 0 AND b.day >= (date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC' AND b.day < date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND f.all_users AND f.all_projects
      AND (f.all_sources OR b.source_system = ANY (p_sources)) AND (f.all_providers OR b.provider = ANY (p_providers)) AND (f.all_models OR b.model_id = ANY (p_models))
    UNION ALL
    SELECT t.window_start, t.source_system, t.provider, t.model_id, t.measurement_basis, t.cost_basis, 1::bigint,
           t.input_tokens::bigint, (t.input_tokens IS NOT NULL)::int::bigint, t.cached_read_tokens::bigint,
           (t.cached_read_tokens IS NOT NULL)::int::bigint, t.cached_write_tokens::bigint,
           (t.cached_write_tokens IS NOT NULL)::int::bigint, t.cached_write_1h_tokens::bigint,
           (t.cached_write_1h_tokens IS NOT NULL)::int::bigint, t.output_tokens::bigint,
           (t.output_tokens IS NOT NULL)::int::bigint, t.reasoning_tokens::bigint,
           (t.reasoning_tokens IS NOT NULL)::int::bigint, t.request_count::bigint,
           (t.request_count IS NOT NULL)::int::bigint, t.cost_usd::numeric, (t.cost_usd IS NOT NULL)::int::bigint,
           t.cache_savings_usd::numeric, (t.cache_savings_usd IS NOT NULL)::int::bigint,
           (t.cached_read_tokens IS NOT NULL AND t.input_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.cached_read_tokens IS NOT NULL THEN t.input_tokens END,
           CASE WHEN t.input_tokens IS NOT NULL THEN t.cached_read_tokens END,
           (t.reasoning_tokens IS NOT NULL AND t.output_tokens IS NOT NULL)::int::bigint,
           CASE WHEN t.reasoning_tokens IS NOT NULL THEN t.output_tokens END,
           CASE WHEN t.output_tokens IS NOT NULL THEN t.reasoning_tokens END
    FROM %1$I.token_usage t, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE ((p_bucket_ms %% 86400000 <> 0 AND t.window_start BETWEEN p_from AND p_to)
       OR (p_bucket_ms %% 86400000 = 0 AND t.window_start >= p_from
           AND t.window_start < least((date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC', ((p_to AT TIME ZONE 'UTC') + interval '1 microsecond') AT TIME ZONE 'UTC'))
       OR (p_bucket_ms %% 86400000 = 0 AND t.window_start >= greatest(date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p_from)
           AND t.window_start <= p_to)) AND NOT (f.all_users AND f.all_projects)
      AND (f.all_sources OR t.source_system = ANY (p_sources)) AND (f.all_providers OR t.provider = ANY (p_providers))
      AND (f.all_models OR t.model_id = ANY (p_models)) AND (f.all_users OR coalesce(t.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(t.project_id, '(none)') = ANY (p_projects))
    UNION ALL
    SELECT d.day, d.source_system, d.provider, d.model_id, d.measurement_basis, d.cost_basis, d.rows, d.input_tokens,
           d.input_rows, d.cached_read_tokens, d.cached_read_rows, d.cached_write_tokens, d.cached_write_rows,
           d.cached_write_1h_tokens, d.cached_write_1h_rows, d.output_tokens, d.output_rows, d.reasoning_tokens,
           d.reasoning_rows, d.request_count, d.request_rows, d.cost_usd, d.cost_rows, d.cache_savings_usd,
           d.cache_savings_rows, d.cache_reported_rows, d.cache_reported_input_tokens, d.cache_reported_read_tokens,
           d.reasoning_reported_rows, d.reasoning_reported_output_tokens, d.reasoning_reported_tokens
    FROM %1$I.usage_daily d, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms %% 86400000 = 0 AND d.day >= (date_trunc('day', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 day') AT TIME ZONE 'UTC' AND d.day < date_trunc('day', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      AND (p_bucket_ms <> 0 OR d.day < (date_trunc('month', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 month') AT TIME ZONE 'UTC' OR d.day >= date_trunc('month', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND NOT (f.all_users AND f.all_projects)
      AND (f.all_sources OR d.source_system = ANY (p_sources)) AND (f.all_providers OR d.provider = ANY (p_providers))
      AND (f.all_models OR d.model_id = ANY (p_models)) AND (f.all_users OR coalesce(d.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(d.project_id, '(none)') = ANY (p_projects))
    UNION ALL
    SELECT m.month, m.source_system, m.provider, m.model_id, m.measurement_basis, m.cost_basis, m.rows, m.input_tokens,
           m.input_rows, m.cached_read_tokens, m.cached_read_rows, m.cached_write_tokens, m.cached_write_rows,
           m.cached_write_1h_tokens, m.cached_write_1h_rows, m.output_tokens, m.output_rows, m.reasoning_tokens,
           m.reasoning_rows, m.request_count, m.request_rows, m.cost_usd, m.cost_rows, m.cache_savings_usd,
           m.cache_savings_rows, m.cache_reported_rows, m.cache_reported_input_tokens, m.cache_reported_read_tokens,
           m.reasoning_reported_rows, m.reasoning_reported_output_tokens, m.reasoning_reported_tokens
    FROM %1$I.usage_monthly m, (SELECT p_sources IS NULL OR coalesce(bool_and(coalesce(k.source_system = ANY (p_sources), false)), true) AS all_sources,
                 p_providers IS NULL OR coalesce(bool_and(coalesce(k.provider = ANY (p_providers), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_providers,
                 p_models IS NULL OR coalesce(bool_and(coalesce(k.model_id = ANY (p_models), false))
                     FILTER (WHERE (p_sources IS NULL OR k.source_system = ANY (p_sources)) AND (p_providers IS NULL OR k.provider = ANY (p_providers))), true) AS all_models,
                 p_users IS NULL OR coalesce(bool_and(coalesce(coalesce(k.user_id, '(org)') = ANY (p_users), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_users,
                 p_projects IS NULL OR coalesce(bool_and(coalesce(coalesce(k.project_id, '(none)') = ANY (p_projects), false))
                     FILTER (WHERE p_sources IS NULL OR k.source_system = ANY (p_sources)), true) AS all_projects
          FROM %1$I.usage_dims k) AS f
    WHERE p_bucket_ms = 0 AND m.month >= (date_trunc('month', (p_from AT TIME ZONE 'UTC') - interval '1 microsecond') + interval '1 month') AT TIME ZONE 'UTC' AND m.month < date_trunc('month', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND NOT (f.all_users AND f.all_projects)
      AND (f.all_sources OR m.source_system = ANY (p_sources)) AND (f.all_providers OR m.provider = ANY (p_providers))
      AND (f.all_models OR m.model_id = ANY (p_models)) AND (f.all_users OR coalesce(m.user_id, '(org)') = ANY (p_users)) AND (f.all_projects OR coalesce(m.project_id, '(none)') = ANY (p_projects))
$b$
$f$, current_schema());
END
$do$;

-- 8. The rows of V0002 move over with their ids, times and values; partitions for their months first.
DO $$
DECLARE
    v_month timestamptz;
    v_last bigint;
    v_called boolean;
BEGIN
    FOR v_month IN SELECT DISTINCT date_trunc('month', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM token_usage_v2 ORDER BY 1 LOOP
        PERFORM token_usage_partition(v_month);
    END LOOP;
    PERFORM token_usage_partition(now());
    INSERT INTO token_usage (id, source_system, provider, model, model_id, project_id, user_id, window_start, window_end, granularity,
        measurement_basis, input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, output_tokens, reasoning_tokens,
        request_count, cost_usd, cost_basis, cache_savings_usd, raw_usage, created_at, updated_at)
    OVERRIDING SYSTEM VALUE
    SELECT id, source_system, provider, model, model_id, project_id, user_id, window_start, window_end, granularity,
        measurement_basis, input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, output_tokens, reasoning_tokens,
        request_count, cost_usd, cost_basis, cache_savings_usd, raw_usage, created_at, updated_at
    FROM token_usage_v2;
    -- The sequence goes on where the old one stood (not at max(id)): an id is never handed out twice.
    EXECUTE format('SELECT last_value, is_called FROM %s', pg_get_serial_sequence('token_usage_v2', 'id')) INTO v_last, v_called;
    PERFORM setval(pg_get_serial_sequence('token_usage', 'id'), v_last, v_called);
END
$$;

-- Whoever was granted the old table keeps it on the new one (a reader role, SELECT only, also reads the rollups).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, a.privilege_type
             FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
             WHERE c.oid = 'token_usage_v2'::regclass AND a.grantee <> c.relowner LOOP
        EXECUTE format('GRANT %s ON token_usage TO %s', g.privilege_type, g.grantee);
        IF g.privilege_type = 'SELECT' THEN
            EXECUTE format('GRANT SELECT ON usage_daily, usage_monthly, usage_dims, retention_horizon TO %s', g.grantee);
        END IF;
    END LOOP;
END
$$;

DROP TABLE token_usage_v2;
-- The new table's identity sequence was named token_usage_id_seq1 while the old one existed; it takes the usual name.
DO $$
BEGIN
    IF pg_get_serial_sequence('token_usage', 'id') <> format('%I.token_usage_id_seq', current_schema()) THEN
        EXECUTE format('ALTER SEQUENCE %s RENAME TO token_usage_id_seq', pg_get_serial_sequence('token_usage', 'id'));
    END IF;
END
$$;

CREATE INDEX token_usage_window_start_idx ON token_usage (window_start);
CREATE INDEX token_usage_source_window_idx ON token_usage (source_system, window_start);
CREATE INDEX token_usage_provider_model_window_idx ON token_usage (provider, model_id, window_start);
CREATE INDEX token_usage_user_window_idx ON token_usage (user_id, window_start) WHERE user_id IS NOT NULL;

SELECT usage_rollups_rebuild();

CREATE TRIGGER token_usage_rollups_insert AFTER INSERT ON token_usage REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_inserted();
CREATE TRIGGER token_usage_rollups_update AFTER UPDATE ON token_usage REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_updated();
CREATE TRIGGER token_usage_rollups_delete AFTER DELETE ON token_usage REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_deleted();
CREATE TRIGGER token_usage_rollups_truncate AFTER TRUNCATE ON token_usage
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_truncated();
