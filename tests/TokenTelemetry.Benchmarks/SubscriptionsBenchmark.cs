using System.Diagnostics;
using Dapper;
using Npgsql;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// What spreading subscriptions over their days costs a cycle: <c>plans</c> plans started <c>years</c> ago are
/// written as day rows by the real engine into a throwaway PostgreSQL 15 (every cycle rewrites every day since each
/// plan's start), twice, then `verify` runs over them. Prints rows, seconds per cycle and for verify, and peak memory.
/// </summary>
public static class SubscriptionsBenchmark
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync(int plans, int years)
    {
        var root = Path.Combine(Path.GetTempPath(), $"tt-subscriptions-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"));
        try
        {
            var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
            var schema = new SchemaName("bench");
            var connectionString = ConnectionStrings.ForEmbedded(state, "postgres");
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);
            }
            var start = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-years);
            var config = new InstanceConfig
            {
                Sources = new SourcesConfig
                {
                    Subscriptions = new SubscriptionsSourceConfig
                    {
                        Enabled = true,
                        Plans = [.. Enumerable.Range(0, plans).Select(i => new SubscriptionPlanConfig
                            { Name = $"plan-{i}", Provider = "openai", MonthlyUsd = 20 + i, BillingDay = 1 + i % 31, Start = start, UserId = $"user-{i}" })],
                    },
                },
            };
            var clock = new FixedTimeProvider(Now);
            var source = new SubscriptionsSource(config.Sources.Subscriptions!, clock);
            await using var database = new TelemetryDatabase(connectionString, schema);
            var engine = new CollectionEngine(database, config, clock, _ => { }, Console.Error.WriteLine);
            Console.WriteLine($"PostgreSQL {state.MajorVersion}; {plans} plans started {start:yyyy-MM-dd}, now {Now:u}");
            foreach (var pass in (string[])["first cycle (inserts)", "second cycle (rewrites)"])
            {
                var watch = Stopwatch.StartNew();
                var outcome = (await engine.RunCycleAsync([source], null, CancellationToken.None)).Single();
                Console.WriteLine($"{pass}: {watch.Elapsed.TotalSeconds:F2} s — {outcome.Status}, {outcome.Message}");
            }
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                var (rows, cost) = await connection.QuerySingleAsync<(long, decimal)>($"SELECT count(*), sum(cost_usd) FROM {schema.Quoted}.token_usage");
                Console.WriteLine($"stored: {rows:N0} day rows, {cost:N9} USD");
                var watch = Stopwatch.StartNew();
                var checks = await new Verifier(schema, config, [source], new ModelResolver(PriceTableLoader.Bundled()), clock).RunAsync(connection, CancellationToken.None);
                Console.WriteLine($"verify: {watch.Elapsed.TotalSeconds:F2} s, {checks.Count(c => c.Passed)} of {checks.Count} checks pass");
            }
            Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB");
        }
        finally
        {
            await cluster.StopAsync(CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }
}
