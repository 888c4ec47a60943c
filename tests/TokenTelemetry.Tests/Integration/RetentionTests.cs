using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Pricing;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// retention.hourly_days on both server paths: whole months go with their call_ledger entries, the rollups (and so the
/// dashboards and `report`) keep their totals, `verify` still passes, and nothing can count a dropped span again — not
/// an import (rejected call by call with file:line), not the writer. A dashboard query in flight defers a drop whole.
/// </summary>
public abstract class RetentionTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    // One call on the 10th of August, September, October and November 2026 (their own `created` times).
    private static readonly string[] Calls =
        [.. new[] { 8, 9, 10, 11 }.Select(m => $$$"""{"id":"chatcmpl-{{{m}}}","object":"chat.completion","created":{{{new DateTimeOffset(2026, m, 10, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}}},"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":{{{m * 100}}},"completion_tokens":{{{m}}}}}""")];

    private async Task<(string ConnectionString, string File)> SeedAsync(TempDirectory dir)
    {
        var connectionString = await db.Cluster.CreateDatabaseAsync();
        await using (var c = new NpgsqlConnection(connectionString))
        {
            await c.OpenAsync();
            await new Migrator(db.Schema).MigrateAsync(c, null, CancellationToken.None);
        }
        var file = dir.File("calls.jsonl");
        File.WriteAllLines(file, Calls);
        (await new LedgerHarness(connectionString, db.Schema, new FixedClock(Now)).IngestAsync(Request(file))).NewCalls.ShouldBe(4);
        return (connectionString, file);
    }

    private static IngestRequest Request(string file) => new() { Path = file, BaseDirectory = "/", SourceSystem = "import" };

    [Fact]
    public async Task Old_months_go_whole_with_their_ledger_entries_and_the_rollups_keep_their_totals()
    {
        using var dir = new TempDirectory();
        var (connectionString, file) = await SeedAsync(dir);
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        var report = new SpendReport(db.Schema);
        var (from, to) = (new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), Now);
        var before = await report.RunAsync(c, "day", from, to, CancellationToken.None);
        // A bill for each of the four days, of what the call cost: reconcile compares them from the daily rollups,
        // dropped months included.
        await c.ExecuteAsync("""
            INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, amount_usd, currency)
            SELECT 'import', day, day + interval '1 day', cost, 'USD'
            FROM (SELECT date_trunc('day', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum(cost_usd) AS cost FROM telemetry.token_usage GROUP BY 1) AS d
            """);
        var reconciler = new Reconciler(db.Schema);
        var reconciled = await reconciler.RunAsync(c, "day", from, to, null, CancellationToken.None);
        // gpt-4o: m × 100 input tokens at 2.5e-6 and m output tokens at 1e-5 per token.
        reconciled.Select(r => (r.Period, r.ComputedUsd, r.DriftUsd, r.BilledDaysWithoutUsage)).ShouldBe([
            ("2026-08-10", 0.00208m, 0m, 0L), ("2026-09-10", 0.00234m, 0m, 0L), ("2026-10-10", 0.0026m, 0m, 0L), ("2026-11-10", 0.00286m, 0m, 0L)]);

        // 45 days before now is 2026-10-14 12:00: August and September end before it, October does not.
        var (dropped, deferred) = await new RetentionStore(db.Schema).ApplyAsync(c, 45, Now, CancellationToken.None);

        deferred.ShouldBeNull();
        dropped.ShouldBe([new RetentionStore.Dropped(new(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), 1), new RetentionStore.Dropped(new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), 1)]);
        (await new RetentionStore(db.Schema).HorizonAsync(c, null, CancellationToken.None)).ShouldBe(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));
        (await c.QueryAsync<string>("SELECT relid::regclass::text FROM pg_partition_tree('telemetry.token_usage') WHERE isleaf AND relid::regclass::text < 'telemetry.token_usage_p202610'")).ShouldBeEmpty();
        (await c.QueryAsync<DateTime>("SELECT window_start FROM telemetry.call_ledger ORDER BY 1")).Select(d => d.Month).ShouldBe([10, 11]);
        (await report.RunAsync(c, "day", from, to, CancellationToken.None)).ShouldBe(before); // August and September from the rollups
        (await report.RunAsync(c, "day", from, to, CancellationToken.None)).Sum(r => r.InputTokens).ShouldBe(3800);
        (await reconciler.RunAsync(c, "day", from, to, null, CancellationToken.None)).ShouldBe(reconciled);
        await RollupState.ShouldMatchFactsAsync(c, db.Schema);
        var checks = await new Verifier(db.Schema, new InstanceConfig(), [], new ModelResolver(EngineHarness.Table), new FixedClock(Now)).RunAsync(c, CancellationToken.None);
        checks.Where(r => !r.Passed).Select(r => r.Name).ShouldBe(["heartbeat_fresh"]); // no collector ran here; every data check passes

        // The same file again: August and September are refused by line, October and November are counted already.
        var again = await new LedgerHarness(connectionString, db.Schema, new FixedClock(Now)).IngestAsync(Request(file));
        again.NewCalls.ShouldBe(0);
        again.AlreadyCounted.ShouldBe(2);
        again.Rejections.ShouldBe([
            $"{file}:1: window 2026-08-10 12:00:00Z is before the retention horizon 2026-10-01 00:00:00Z: that month's hourly detail was dropped (retention.hourly_days) and its totals are in the rollups already",
            $"{file}:2: window 2026-09-10 12:00:00Z is before the retention horizon 2026-10-01 00:00:00Z: that month's hourly detail was dropped (retention.hourly_days) and its totals are in the rollups already",
        ]);
        await using (var tx = await c.BeginTransactionAsync())
        {
            var refused = await Should.ThrowAsync<TelemetryException>(() => new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx,
                [Rows.Usage("x") with { WindowStart = new(2026, 9, 30, 23, 0, 0, TimeSpan.Zero), WindowEnd = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero) }], CancellationToken.None));
            refused.ToErrorLine().ShouldBe("error: rows for 2026-09 fall before the retention horizon 2026-10-01: that hourly detail was dropped (retention.hourly_days) and its totals are in the rollups; nothing was written (writing those windows again would count them twice: leave them out)");
        }
        (await report.RunAsync(c, "day", from, to, CancellationToken.None)).ShouldBe(before);
        (await new RetentionStore(db.Schema).ApplyAsync(c, 45, Now, CancellationToken.None)).Dropped.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_query_in_flight_defers_the_drop_and_nothing_of_it_happens()
    {
        using var dir = new TempDirectory();
        var (connectionString, _) = await SeedAsync(dir);
        await using var dashboard = new NpgsqlConnection(connectionString);
        await dashboard.OpenAsync();
        await using (var query = await dashboard.BeginTransactionAsync())
        {
            (await dashboard.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage", transaction: query)).ShouldBe(4);
            await using var c = new NpgsqlConnection(connectionString);
            await c.OpenAsync();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (dropped, deferred) = await new RetentionStore(db.Schema).ApplyAsync(c, 45, Now, CancellationToken.None);
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
            dropped.ShouldBeEmpty();
            deferred.ShouldBe("dropping 2026-08 waited 3 s for a query or an import using token_usage; it is retried next cycle");
            (await new RetentionStore(db.Schema).HorizonAsync(c, null, CancellationToken.None)).ShouldBeNull();
            (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.call_ledger")).ShouldBe(4);
            await query.CommitAsync();
        }
        await using var after = new NpgsqlConnection(connectionString);
        await after.OpenAsync();
        (await new RetentionStore(db.Schema).ApplyAsync(after, 45, Now, CancellationToken.None)).Dropped.Count.ShouldBe(2);
    }
}

public sealed class RetentionTestsOnCurrentPostgres(CurrentPostgresDatabase db) : RetentionTests(db), IClassFixture<CurrentPostgresDatabase>;

public sealed class RetentionTestsOnPostgres14(Postgres14Database db) : RetentionTests(db), IClassFixture<Postgres14Database>;
