using Dapper;
using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Verification;

/// <summary>
/// Holds the data to the invariants of DESIGN §4 that data can show. Each check is SQL (or SQL plus the price
/// table) returning the offending rows; the first 10 are kept as examples, with a hint for the fix.
/// </summary>
public sealed class Verifier(SchemaName schema, InstanceConfig config, IReadOnlyList<ICollectionSource> sources, ModelResolver prices, TimeProvider clock)
{
    private string S => schema.Quoted;

    public async Task<IReadOnlyList<CheckResult>> RunAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await SchemaInspector.RequireVersionAsync(c, schema, 5, ct);
        // Before the retention horizon token_usage holds nothing by design; the rollups keep those months' totals.
        var horizon = (await new RetentionStore(schema).HorizonAsync(c, null, ct))?.UtcDateTime;
        var results = new List<CheckResult>
        {
            await Sql(c, "duplicate_conflict_keys", $"""
                SELECT source_system, model_id, window_start, window_end, user_id, project_id, count(*) AS copies
                FROM {S}.token_usage GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1
                """, "two rows share a conflict key (NULL user/project compared as equal): the unique index is missing; run migrate on PostgreSQL 13+", ct),
            await Sql(c, "windows_off_grid", $"""
                SELECT id, source_system, model_id, window_start, window_end, granularity::text AS granularity FROM {S}.token_usage
                WHERE NOT CASE granularity
                    WHEN '15min' THEN extract(epoch FROM window_start)::bigint % 900 = 0 AND window_end = window_start + interval '15 minutes'
                    WHEN 'hour' THEN extract(epoch FROM window_start)::bigint % 3600 = 0 AND window_end = window_start + interval '1 hour'
                    WHEN 'day' THEN extract(epoch FROM window_start)::bigint % 86400 = 0 AND window_end = window_start + interval '1 day'
                    ELSE window_start = date_trunc('month', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                         AND window_end = window_start + interval '1 month'
                END
                """, "windows must be [start, end) on their granularity's UTC grid; fix the importing file or the source", ct),
            await Sql(c, "cache_exceeds_input", $"""
                SELECT id, source_system, model_id, window_start, input_tokens, cached_read_tokens, cached_write_tokens FROM {S}.token_usage
                WHERE coalesce(cached_read_tokens, 0) + coalesce(cached_write_tokens, 0) > input_tokens
                """, "input must include the cache (DESIGN §2): the mapper added the cache twice or not at all", ct),
            await Sql(c, "reasoning_exceeds_output", $"""
                SELECT id, source_system, model_id, window_start, output_tokens, reasoning_tokens FROM {S}.token_usage WHERE reasoning_tokens > output_tokens
                """, "output must include reasoning (DESIGN §2): Gemini and xAI report it outside output and must add it", ct),
            // Each row against the furthest end of the plan's rows before it: one sort per plan, not a self-join.
            await Sql(c, "subscription_periods_overlap", $"""
                SELECT model_id, user_id, project_id, window_start, window_end, granularity, earlier_until FROM (
                    SELECT model_id, user_id, project_id, window_start, window_end, granularity::text AS granularity,
                           max(window_end) OVER (PARTITION BY model_id, user_id, project_id ORDER BY window_start, id
                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_until
                    FROM {S}.token_usage WHERE source_system = 'subscriptions') AS ordered
                WHERE window_start < earlier_until
                """, "a plan's rows overlap, so a date range counts it twice: month rows of an earlier version or rows of a changed billing_day; set the plan's start and run collect to rewrite them, or delete the older rows", ct),
            await Sql(c, "subscription_periods_sum_to_price", SubscriptionPeriods.Sql(S), SubscriptionPeriods.Hint, ct, new { now = clock.GetUtcNow().UtcDateTime, horizon }),
            // From the daily rollup: it equals the facts (rollups_match_facts) and keeps the days retention dropped.
            await Sql(c, "cost_drift_vs_billed", $"""
                WITH computed AS (
                    SELECT source_system, day AT TIME ZONE 'UTC' AS day, sum(cost_usd) AS computed
                    FROM {S}.usage_daily GROUP BY 1, 2),
                billed AS (
                    SELECT source_system, date_trunc('day', bucket_start AT TIME ZONE 'UTC') AS day, sum(amount_usd) AS billed
                    FROM {S}.billed_cost GROUP BY 1, 2)
                SELECT b.source_system, b.day, c.computed, b.billed FROM billed b LEFT JOIN computed c USING (source_system, day)
                WHERE b.billed > 0 AND abs(coalesce(c.computed, 0) - b.billed) > b.billed * @tolerance / 100
                """, $"a day's computed cost differs from the billed cost by more than {config.Watchdog.CostDriftPercent} %: check pricing.overrides, batch usage, or usage the source does not list", ct,
                new { tolerance = config.Watchdog.CostDriftPercent }),
        };
        results.AddRange(await NullSemanticsAsync(c, ct));
        results.Add(await PricesAsync(c, ct));
        results.AddRange(await WatermarksAndFreshnessAsync(c, ct));
        results.AddRange(await CallLedgerAsync(c, ct));
        results.Add(await Sql(c, "rollups_match_facts", RollupChecks.FactsSql(S), RollupChecks.Hint(schema), ct, new { horizon }));
        results.Add(await Sql(c, "pricing_rollup_matches_facts", RollupChecks.PricingSql(S), RollupChecks.Hint(schema), ct, new { horizon }));
        results.Add(await Sql(c, "rollup_levels_agree", RollupChecks.LevelsSql(S), RollupChecks.Hint(schema), ct));
        return results;
    }

    /// <summary>Invariant 16: each call counted once — no identity in two rows (two source systems, or two windows when
    /// id-less calls were placed twice with different --at times) — and each ledger entry agrees with its row.</summary>
    private async Task<IEnumerable<CheckResult>> CallLedgerAsync(NpgsqlConnection c, CancellationToken ct) =>
    [
        await Sql(c, "calls_counted_once", $"""
            WITH ids AS (
                SELECT l.usage_id, substring(l.call_ids FROM i * 16 + 1 FOR 16) AS call_id
                FROM {S}.call_ledger l CROSS JOIN LATERAL generate_series(0, length(l.call_ids) / 16 - 1) AS i)
            SELECT encode(ids.call_id, 'hex') AS call_identity, count(*) AS rows,
                   string_agg(DISTINCT t.source_system, ', ') AS source_systems,
                   string_agg(DISTINCT to_char(t.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"'), ', ') AS windows
            FROM ids JOIN {S}.token_usage t ON t.id = ids.usage_id
            GROUP BY ids.call_id HAVING count(*) > 1
            """, "a call is counted in two rows: fed under two source systems, or placed in two windows by different --at times (calls without a time of their own); delete one of the rows (DELETE FROM token_usage WHERE id = …) — its ledger entry then counts nothing", ct),
        await Sql(c, "ledger_matches_rows", $"""
            SELECT l.usage_id, l.kind, length(l.call_ids) / 16 AS identities, t.request_count, l.window_start, t.window_start AS row_window_start,
                   CASE WHEN t.id IS NULL THEN 'its row is gone' WHEN t.window_start <> l.window_start OR t.window_end <> l.window_end THEN 'window differs from its row'
                        WHEN l.kind = 'row' THEN 'an aggregate row holds more than one identity' ELSE 'request_count differs from the calls counted' END AS problem
            FROM {S}.call_ledger l LEFT JOIN {S}.token_usage t ON t.id = l.usage_id
            WHERE t.id IS NULL OR t.window_start <> l.window_start OR t.window_end <> l.window_end
               OR (l.kind = 'calls' AND t.request_count IS DISTINCT FROM length(l.call_ids) / 16)
               OR (l.kind = 'row' AND length(l.call_ids) <> 16)
            """, "a row of a file-fed source was changed or deleted by hand: re-import its files (with --replace for the rows they touch), or delete the stale ledger entries", ct),
        await Sql(c, "legacy_rows_overlap_counted_calls", $"""
            SELECT old.id, old.source_system, old.model_id, old.window_start, old.granularity::text AS granularity,
                   new.source_system AS counted_under, new.window_start AS counted_window
            FROM {S}.token_usage old
            JOIN {S}.token_usage new ON new.model_id = old.model_id AND new.id <> old.id
              AND new.user_id IS NOT DISTINCT FROM old.user_id AND new.project_id IS NOT DISTINCT FROM old.project_id
              AND new.window_start < old.window_end AND old.window_start < new.window_end
            JOIN {S}.call_ledger l ON l.usage_id = new.id AND l.kind = 'calls'
            WHERE old.raw_usage ? 'files' AND NOT EXISTS (SELECT 1 FROM {S}.call_ledger x WHERE x.usage_id = old.id)
            """, "a row imported before V0002 (no call identities) overlaps a row of counted calls: the same calls may be counted in both; delete the old row (DELETE FROM token_usage WHERE id = …) if its files were imported again", ct),
    ];

    /// <summary>A metric a source never reports must be NULL in its rows — not 0, not a guess (invariant 2).</summary>
    private async Task<IEnumerable<CheckResult>> NullSemanticsAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var conditions = new List<string>();
        foreach (var source in sources)
        {
            var caps = source.Capabilities;
            var columns = new List<string>();
            if (!caps.ReportsCacheReads) columns.Add("cached_read_tokens");
            if (!caps.ReportsCacheWrites) columns.AddRange(["cached_write_tokens", "cached_write_1h_tokens"]);
            if (!caps.ReportsReasoning) columns.Add("reasoning_tokens");
            if (columns.Count > 0)
                conditions.Add($"(source_system = '{source.Name}' AND ({string.Join(" OR ", columns.Select(col => $"{col} IS NOT NULL"))}))");
        }
        if (conditions.Count == 0) return [new CheckResult("null_semantics", true, 0, [], "")];
        return [await Sql(c, "null_semantics", $"""
            SELECT id, source_system, model_id, window_start, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, reasoning_tokens
            FROM {S}.token_usage WHERE {string.Join(" OR ", conditions)}
            """, "a source wrote a value (often 0) for a metric it never reports: it must be NULL (not reported)", ct)];
    }

    /// <summary>Cost NULL although the table prices the model, and computed cost for a model the table cannot price.</summary>
    private async Task<CheckResult> PricesAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var missing = await c.QueryAsync<(string ModelId, string Provider, long Rows)>(new CommandDefinition($"""
            SELECT model_id, provider, count(*) FROM {S}.token_usage
            WHERE cost_usd IS NULL AND input_tokens IS NOT NULL AND output_tokens IS NOT NULL
              AND measurement_basis <> 'derived_estimate' GROUP BY 1, 2
            """, cancellationToken: ct));
        var computed = await c.QueryAsync<(string ModelId, string Provider, long Rows)>(new CommandDefinition(
            $"SELECT model_id, provider, count(*) FROM {S}.token_usage WHERE cost_basis = 'computed' GROUP BY 1, 2", cancellationToken: ct));
        var offending = missing.Where(m => UsagePricer.HasPrice(prices, m.ModelId, m.Provider))
            .Select(m => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["model_id"] = m.ModelId, ["provider"] = m.Provider, ["rows"] = m.Rows, ["problem"] = "cost NULL but the table has a price" })
            .Concat(computed.Where(m => !UsagePricer.HasPrice(prices, m.ModelId, m.Provider))
                .Select(m => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["model_id"] = m.ModelId, ["provider"] = m.Provider, ["rows"] = m.Rows, ["problem"] = "computed cost but no price for the model" }))
            .ToList();
        return new CheckResult("cost_matches_price_table", offending.Count == 0, offending.Count, offending.Take(10).ToList(),
            "run `token-telemetry reprice` (or re-collect the affected windows) so cost is recomputed with the current table, overrides and discounts");
    }

    private async Task<IEnumerable<CheckResult>> WatermarksAndFreshnessAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var marks = (await c.QueryAsync<(string Source, DateTime End)>(new CommandDefinition(
            $"SELECT source_system, last_processed_end FROM {S}.rollup_watermark", cancellationToken: ct))).ToList();
        var badMarks = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var (source, end) in marks)
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc));
            var granularity = sources.FirstOrDefault(x => x.Name == source)?.Capabilities.Granularity;
            var problem = granularity is { } g && !Usage.WindowGrid.IsAligned(at, g) ? "off its window grid"
                : at > now ? "in the future, ahead of any data" : null;
            if (problem is not null) badMarks.Add(new Dictionary<string, object?> { ["source_system"] = source, ["last_processed_end"] = at, ["problem"] = problem });
        }
        var watchdog = await new Watchdog(schema, config, clock).CheckAsync(c, write: false, ct);
        var neverSeen = watchdog.Sources.Where(s => s.Status == "never_seen").Select(s => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            { ["source_system"] = s.SourceSystem, ["message"] = s.Message }).ToList();
        return
        [
            new CheckResult("watermarks_on_grid", badMarks.Count == 0, badMarks.Count, badMarks, "a watermark was edited by hand: set it to a window boundary not after now (collect snaps off-grid marks forward)"),
            new CheckResult("heartbeat_fresh", watchdog.Heartbeat.Status == "ok", watchdog.Heartbeat.Status == "ok" ? 0 : 1,
                watchdog.Heartbeat.Status == "ok" ? [] : [new Dictionary<string, object?> { ["status"] = watchdog.Heartbeat.Status, ["message"] = watchdog.Heartbeat.Message }],
                "schedule `token-telemetry collect` (cron, systemd timer or --daemon) and check that it runs"),
            new CheckResult("enabled_sources_seen", neverSeen.Count == 0, neverSeen.Count, neverSeen, "run `token-telemetry collect` and read the failing source's message"),
        ];
    }

    private static async Task<CheckResult> Sql(NpgsqlConnection c, string name, string sql, string hint, CancellationToken ct, object? args = null)
    {
        var rows = (await c.QueryAsync(new CommandDefinition($"SELECT * FROM ({sql}) AS offending LIMIT 11", args, cancellationToken: ct)))
            .Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>((IDictionary<string, object?>)r)).ToList();
        var count = rows.Count <= 10 ? rows.Count
            : await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM ({sql}) AS offending", args, cancellationToken: ct));
        return new CheckResult(name, rows.Count == 0, count, rows.Take(10).ToList(), hint);
    }
}
