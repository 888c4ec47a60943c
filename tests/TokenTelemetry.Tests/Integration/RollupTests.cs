using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Invariant 17 on both conflict-key paths: after inserts, replacing upserts (values and labels changing), the
/// deletions the snapshot sources make, hand edits and TRUNCATE, every rollup equals the facts it sums — with NULL sums
/// where no row reported a metric, and row counts that say when a cell is partial.
/// </summary>
public abstract class RollupTests(DatabaseFixture db)
{
    private static readonly DateTime Day = Rows.Day.UtcDateTime;

    private async Task WriteAsync(params TokenUsageRow[] rows)
    {
        await using var c = await db.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, rows, CancellationToken.None);
        await tx.CommitAsync();
    }

    private async Task ShouldMatchAsync()
    {
        await using var c = await db.OpenAsync();
        await RollupState.ShouldMatchFactsAsync(c, db.Schema);
    }

    private static string NewSource() => $"src_{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task Inserts_keep_null_sums_null_and_count_the_rows_that_report_each_metric()
    {
        var source = NewSource();
        await WriteAsync(
            Rows.Usage(source, hour: 1, input: 1000, cachedRead: null, output: 100, reasoning: null, cost: null),
            Rows.Usage(source, hour: 2, input: 2000, cachedRead: 500, output: 200, reasoning: 50, cost: 0.5m),
            Rows.Usage(source, hour: 3, input: null, cachedRead: 70, output: null, reasoning: null, cost: null),
            Rows.Usage(source, hour: 4, user: "alice", project: "web", input: 10, cachedRead: null, output: 1, cost: 0.001m),
            Rows.Usage(source, hour: 5, input: 40, cachedRead: null, output: 4, cost: null) with { Granularity = Granularity.Month, WindowStart = Rows.Day.AddMonths(1), WindowEnd = Rows.Day.AddMonths(2) },
            Rows.Usage(source, hour: 0, input: 5, cachedRead: 1, output: 1) with { Granularity = Granularity.FifteenMinutes, WindowEnd = Rows.Day.AddMinutes(15) });
        await ShouldMatchAsync();

        await using var c = await db.OpenAsync();
        var cells = await RollupState.DailyAsync(c, source);
        cells.Count.ShouldBe(4);
        // Rows 0:00 (15 min, cost 0.0125), 1:00 (cost NULL), 2:00 and 3:00 share one cell per cost_basis: NULL and computed.
        var unpriced = cells.Single(v => (DateTime)v["day"]! == Day && v["user_id"] is null && v["cost_basis"] is null);
        unpriced["rows"].ShouldBe(2L);                 // 1:00 and 3:00
        unpriced["input_tokens"].ShouldBe(1000L);       // 3:00 reports no input
        unpriced["input_rows"].ShouldBe(1L);            // partial: 1 of 2 rows
        unpriced["cached_read_tokens"].ShouldBe(70L);
        unpriced["cost_usd"].ShouldBeNull();            // nobody reported a cost: NULL, never 0
        unpriced["cost_rows"].ShouldBe(0L);
        unpriced["reasoning_tokens"].ShouldBeNull();
        unpriced["cache_reported_rows"].ShouldBe(0L);   // no row reports both cache reads and input
        unpriced["cache_reported_input_tokens"].ShouldBeNull();
        var priced = cells.Single(v => (DateTime)v["day"]! == Day && v["user_id"] is null && v["cost_basis"] is "computed");
        priced["rows"].ShouldBe(2L);
        priced["input_tokens"].ShouldBe(2005L);
        priced["cost_usd"].ShouldBe(0.5125m);
        priced["reasoning_tokens"].ShouldBe(50L);
        priced["reasoning_rows"].ShouldBe(1L);
        priced["cache_reported_input_tokens"].ShouldBe(2005L);
        priced["cache_reported_read_tokens"].ShouldBe(501L);
        cells.Single(v => v["user_id"] is "alice")["cached_read_tokens"].ShouldBeNull();
        cells.Select(v => (DateTime)v["day"]!).ShouldContain(Rows.Day.AddMonths(1).UtcDateTime); // a month row counts on the day it starts
        (await c.ExecuteScalarAsync<long>("SELECT sum(rows) FROM telemetry.usage_monthly WHERE source_system = @source", new { source })).ShouldBe(6);
    }

    [Fact]
    public async Task Replacements_move_rows_between_cells_and_leave_no_empty_cell_behind()
    {
        var source = NewSource();
        var first = Enumerable.Range(0, 6).Select(h => Rows.Usage(source, hour: h, user: h % 2 == 0 ? null : "bob", input: 100 * (h + 1), cachedRead: 50)).ToArray();
        await WriteAsync(first);
        // The same keys again: other values, another provider, estimates, unknown cost — rows leave their cells.
        await WriteAsync([.. first.Select(r => r with
        {
            Provider = "azure", InputTokens = r.InputTokens + 1, CachedReadTokens = null, MeasurementBasis = MeasurementBasis.DerivedEstimate,
            CostUsd = r.UserId is null ? null : r.CostUsd, CostBasis = r.UserId is null ? null : r.CostBasis,
        })]);
        await ShouldMatchAsync();

        await using var c = await db.OpenAsync();
        var cells = await RollupState.DailyAsync(c, source);
        cells.ShouldAllBe(v => (string)v["provider"]! == "azure" && (string)v["basis"]! == "derived_estimate");
        cells.Sum(v => (long)v["rows"]!).ShouldBe(6);
        cells.Sum(v => (long)v["input_tokens"]!).ShouldBe(2106); // 100+200+…+600, each plus one
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.usage_hourly_by_model WHERE source_system = @source AND provider = 'openai'", new { source })).ShouldBe(0);
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.usage_dims WHERE source_system = @source AND provider = 'azure'", new { source })).ShouldBe(2); // bob, and the organisation
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.usage_dims WHERE source_system = @source AND provider = 'openai'", new { source })).ShouldBe(0);
    }

    [Fact]
    public async Task The_deletions_of_snapshot_sources_and_the_manual_source_take_their_rows_out_of_the_rollups()
    {
        var source = NewSource();
        await WriteAsync([.. Enumerable.Range(0, 8).Select(h => Rows.Usage(source, model: h < 4 ? "a" : "b", hour: h))]);
        await using var c = await db.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            // A snapshot that still produces model a over hours 0–1 only, and model b not at all.
            await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, [Rows.Usage(source, model: "a", hour: 0), Rows.Usage(source, model: "a", hour: 1)], CancellationToken.None);
            (await new SideTablesStore(db.Schema).DeleteUntouchedUsageAsync(tx, source, Rows.Day, Rows.Day.AddHours(8),
                [("a", Rows.Day, Rows.Day.AddHours(2))], CancellationToken.None)).ShouldBe(4); // b's four; a keeps its rows outside its span
            await tx.CommitAsync();
        }
        await ShouldMatchAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            (await new SideTablesStore(db.Schema).DeleteUntouchedUsageAsync(tx, source, Rows.Day.AddHours(3), Rows.Day.AddHours(4), CancellationToken.None)).ShouldBe(1);
            (await new CallLedgerStore(db.Schema).DeleteUnproducedRowsAsync(tx, source, [], Rows.Day, Rows.Day.AddHours(2), CancellationToken.None)).ShouldBe(2);
            await tx.CommitAsync();
        }
        await ShouldMatchAsync();
        (await c.ExecuteScalarAsync<long>("SELECT sum(rows) FROM telemetry.usage_daily WHERE source_system = @source", new { source })).ShouldBe(1); // a at 2:00
    }

    [Fact]
    public async Task Hand_edits_a_rolled_back_batch_and_truncate_keep_the_rollups_equal_to_the_facts()
    {
        var source = NewSource();
        await WriteAsync([.. Enumerable.Range(0, 4).Select(h => Rows.Usage(source, hour: h, project: "p"))]);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("""
            UPDATE telemetry.token_usage SET cost_usd = NULL, cost_basis = NULL, output_tokens = output_tokens * 2 WHERE source_system = @source AND window_start = @at;
            DELETE FROM telemetry.token_usage WHERE source_system = @source AND window_start = @next;
            """, new { source, at = Day.AddHours(1), next = Day.AddHours(2) });
        await ShouldMatchAsync();

        var before = await c.ExecuteScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.usage_daily");
        var refused = await Should.ThrowAsync<PostgresException>(() => WriteAsync(Rows.Usage(source, hour: 9), Rows.Usage(source, hour: 10, input: 10, cachedRead: 20)));
        refused.ConstraintName.ShouldBe("token_usage_cache_within_input");
        (await c.ExecuteScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.usage_daily")).ShouldBe(before);
        await ShouldMatchAsync();

        await c.ExecuteAsync("TRUNCATE telemetry.token_usage");
        foreach (var table in RollupState.Tables)
            (await c.ExecuteScalarAsync<long>($"SELECT count(*) FROM telemetry.{table}")).ShouldBe(0, table);
    }

    [Fact]
    public async Task The_pricing_rollup_keeps_discounts_and_unpriced_rows_per_day_and_model_through_reprices_and_deletions()
    {
        var source = NewSource();
        static TokenUsageRow Priced(string source, int hour, decimal cost, decimal list) =>
            Rows.Usage(source, hour: hour, cost: cost) with { Pricing = new("snap", "gpt-4o", "discount openai * 20%", list) };
        await WriteAsync(
            Priced(source, 0, 0.8m, 1.0m), Priced(source, 1, 0.4m, 0.5m),
            Rows.Usage(source, hour: 2, cost: 0.3m),                              // computed before V0004: no list cost
            Rows.Usage(source, model: "mystery", hour: 3, cost: null),            // unpriced: tokens, no cost
            Rows.Usage(source, model: "mystery", hour: 4, input: null, cost: null), // no input total: a price could not price it
            Rows.Usage(source, model: "mystery", hour: 5, cost: null) with { MeasurementBasis = MeasurementBasis.DerivedEstimate });
        await ShouldMatchAsync();
        await using var c = await db.OpenAsync();
        const string cells = "SELECT model_id || ' ' || list_rows || ' ' || coalesce(discount_usd::text, '-') || ' ' || unpriced_rows FROM telemetry.usage_daily_pricing WHERE source_system = @source ORDER BY model_id";
        (await c.QueryAsync<string>(cells, new { source })).ShouldBe(["gpt-4o 2 0.300000000 0", "mystery 0 - 1"]);

        // A reprice (an update) that prices the unpriced row and drops the discount of another.
        await c.ExecuteAsync("""
            UPDATE telemetry.token_usage SET cost_usd = 2, cost_basis = 'computed', price_snapshot = 'snap2', price_key = 'mystery', list_cost_usd = 2.5
            WHERE source_system = @source AND model_id = 'mystery' AND window_start = @at;
            UPDATE telemetry.token_usage SET cost_usd = list_cost_usd WHERE source_system = @source AND window_start = @first;
            """, new { source, at = Day.AddHours(3), first = Day });
        await ShouldMatchAsync();
        (await c.QueryAsync<string>(cells, new { source })).ShouldBe(["gpt-4o 2 0.100000000 0", "mystery 1 0.500000000 0"]);

        await c.ExecuteAsync("DELETE FROM telemetry.token_usage WHERE source_system = @source AND list_cost_usd IS NOT NULL AND model_id = 'gpt-4o'", new { source });
        await ShouldMatchAsync();
        (await c.QueryAsync<string>(cells, new { source })).ShouldBe(["mystery 1 0.500000000 0"]);
    }

    [Fact]
    public async Task Verify_finds_a_rollup_changed_behind_the_triggers_and_rebuild_repairs_it()
    {
        var source = NewSource();
        await WriteAsync([.. Enumerable.Range(0, 3).Select(h => Rows.Usage(source, hour: h))]);
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("""
            UPDATE telemetry.usage_daily SET cost_usd = cost_usd + 1 WHERE source_system = @source;
            DELETE FROM telemetry.usage_dims WHERE source_system = @source;
            INSERT INTO telemetry.usage_daily_pricing VALUES (@day, @source, 'gpt-4o', 1, 0.5, 0);
            ALTER TABLE telemetry.token_usage DISABLE TRIGGER token_usage_rollups_delete;
            DELETE FROM telemetry.token_usage WHERE source_system = @source AND window_start = @at;
            ALTER TABLE telemetry.token_usage ENABLE TRIGGER token_usage_rollups_delete;
            """, new { source, at = Day.AddHours(2), day = Day });
        var facts = (await c.QueryAsync(Verification.RollupChecks.FactsSql("\"telemetry\""), new { horizon = (DateTime?)null })).Cast<IDictionary<string, object?>>().ToList();
        facts.Select(r => (string)r["problem"]!).Order().ShouldBe(["the rows of token_usage sum to other values", "usage_daily holds other values"]);
        facts.ShouldAllBe(r => (string)r["source_system"]! == source);
        var levels = (await c.QueryAsync(Verification.RollupChecks.LevelsSql("\"telemetry\""))).Cast<IDictionary<string, object?>>().ToList();
        levels.Select(r => (string)r["problem"]!).Distinct().Order().ShouldBe(["usage_dims differs from usage_daily", "usage_monthly differs from usage_daily"]);
        var pricing = (await c.QueryAsync(Verification.RollupChecks.PricingSql("\"telemetry\""), new { horizon = (DateTime?)null })).Cast<IDictionary<string, object?>>().ToList();
        pricing.Select(r => $"{r["problem"]} {r["source_system"]} {r["list_rows"]}").ShouldBe([$"usage_daily_pricing holds other values {source} 1"]);

        await c.ExecuteAsync("SELECT telemetry.usage_rollups_rebuild()");
        await ShouldMatchAsync();
    }
}

public sealed class RollupTestsOnCurrentPostgres(CurrentPostgresDatabase db) : RollupTests(db), IClassFixture<CurrentPostgresDatabase>;

public sealed class RollupTestsOnPostgres14(Postgres14Database db) : RollupTests(db), IClassFixture<Postgres14Database>;
