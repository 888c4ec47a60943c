using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// `reprice` and `reconcile` at scale in a throwaway PostgreSQL 15: <c>rows</c> hourly rows of the openai source (8
/// priced models, 1,000 rows an hour) written with the bundled table, then re-priced with a table where one model's
/// input rate doubled and a 20 % discount from the middle of the span (about 60 % of the rows change), then re-priced
/// again (nothing changes), then reconciled by day and by month against a bill per day. Prints seconds, rows/s and
/// peak memory.
/// </summary>
public static class RepriceBenchmark
{
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3", "o4-mini", "gpt-5", "gpt-5-mini"];
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync(int rows)
    {
        var root = Path.Combine(Path.GetTempPath(), $"tt-reprice-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"));
        try
        {
            var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
            var schema = new SchemaName("telemetry");
            var connectionString = ConnectionStrings.ForEmbedded(state, "postgres");
            await using var database = new TelemetryDatabase(connectionString, schema);
            await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
                await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);
            var hours = (rows + 999) / 1000;
            var middle = DateOnly.FromDateTime(Start.AddHours(hours / 2).UtcDateTime);
            Console.WriteLine($"PostgreSQL {state.MajorVersion}, {Environment.ProcessorCount} cores; {rows:N0} rows over {hours:N0} hours from {Start:yyyy-MM-dd}; discount from {middle:yyyy-MM-dd}");

            var list = new UsagePricer(PriceTableLoader.Bundled());
            var write = Stopwatch.StartNew();
            await WriteAsync(database, schema, list, rows);
            Console.WriteLine($"written with the bundled table in {write.Elapsed.TotalSeconds:F1} s");

            var json = JsonNode.Parse(EmbeddedAssets.ReadBytes("pricing/litellm_model_prices.json"))!;
            json["gpt-4o-mini"]!["input_cost_per_token"] = 0.0000003m;
            var table = PriceTable.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()), "bench v2");
            var config = new PricingConfig { Discounts = [new DiscountConfig { Provider = "openai", Percent = 20, From = middle }] };
            var contract = new UsagePricer(PricingRules.FromConfig(table, config));
            foreach (var pass in (string[])["reprice", "reprice again"])
            {
                GC.Collect();
                var watch = Stopwatch.StartNew();
                var result = await new Repricer(database, contract, _ => { }).RunAsync(new RepriceRequest(), CancellationToken.None);
                var t = result.Providers["openai"];
                Console.WriteLine($"{pass}: {watch.Elapsed.TotalSeconds:F1} s over {result.Days} days, {t.Rows / watch.Elapsed.TotalSeconds:N0} rows/s; {t.Changed:N0} of {t.Rows:N0} rows changed, {t.OldUsd:N2} → {t.NewUsd:N2} USD");
            }

            await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
            {
                await connection.ExecuteAsync("""
                    INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, line_item, amount_usd, currency)
                    SELECT 'openai', date_trunc('day', window_start), date_trunc('day', window_start) + interval '1 day', 'all', sum(cost_usd), 'USD'
                    FROM telemetry.token_usage GROUP BY 2
                    """);
                foreach (var by in (string[])["day", "month"])
                {
                    var watch = Stopwatch.StartNew();
                    var periods = await new Reconciler(schema).RunAsync(connection, by, Start, Start.AddHours(hours), null, CancellationToken.None);
                    Console.WriteLine($"reconcile --by {by}: {watch.Elapsed.TotalSeconds:F2} s, {periods.Count} periods, largest |drift| {periods.Max(p => Math.Abs(p.DriftPct ?? 0)):0.###} %");
                }
            }
            Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB");
        }
        finally
        {
            await cluster.StopAsync(CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WriteAsync(TelemetryDatabase database, SchemaName schema, UsagePricer pricer, int count)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var writer = new UsageWriter(schema, ConflictMode.NullsNotDistinct);
        for (var offset = 0; offset < count; offset += 100_000)
        {
            var batch = Enumerable.Range(offset, Math.Min(100_000, count - offset)).Select(i =>
            {
                var (hour, k) = (i / 1000, i % 1000);
                var start = Start.AddHours(hour);
                var usage = new UsageTelemetry
                {
                    Model = Models[k % Models.Length], Provider = "openai", InputTokens = 10_000 + i % 9_973, CachedReadTokens = 2_000 + i % 997,
                    OutputTokens = 500 + i % 487, RequestCount = 10,
                };
                var priced = pricer.Price(usage, aggregate: true, at: start);
                return new TokenUsageRow
                {
                    SourceSystem = "openai", Provider = "openai", Model = usage.Model, ModelId = usage.Model, ProjectId = $"proj-{k / Models.Length}",
                    WindowStart = start, WindowEnd = start.AddHours(1), Granularity = Granularity.Hour, MeasurementBasis = MeasurementBasis.ProviderAggregate,
                    InputTokens = usage.InputTokens, CachedReadTokens = usage.CachedReadTokens, OutputTokens = usage.OutputTokens, RequestCount = 10,
                    CostUsd = priced.CostUsd, CostBasis = priced.Basis, CacheSavingsUsd = priced.CacheSavingsUsd, Pricing = priced.Provenance,
                };
            }).ToList();
            await using var tx = await connection.BeginTransactionAsync();
            await writer.UpsertAsync(tx, batch, CancellationToken.None);
            await tx.CommitAsync();
        }
    }
}
