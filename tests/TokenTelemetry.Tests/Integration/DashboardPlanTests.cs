using System.Text.Json;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Why the dashboards stay instant as the table grows, read from Postgres's own plans (EXPLAIN, no timing): over a year,
/// the variables read no part of token_usage, and the panels read token_usage only in the partial days at the range's
/// ends — so only its first and last months' partitions — and the rollups for everything between. (Before V0003 each
/// variable was a DISTINCT over the whole table and each panel a scan of every row in the range.)
/// </summary>
public sealed class DashboardPlanTests
{
    private static readonly DateTimeOffset To = new(2026, 11, 20, 13, 47, 12, TimeSpan.Zero);
    private static readonly DateTimeOffset From = To.AddDays(-365);

    [Fact]
    public async Task Over_a_year_variables_skip_token_usage_and_panels_read_only_its_first_and_last_months()
    {
        var harness = await EngineHarness.CreateAsync();
        await using var c = await harness.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            // A row every 5 days over 14 months: 14 partitions.
            var rows = Enumerable.Range(0, 85).Select(i => Rows.Usage(i % 2 == 0 ? "litellm" : "openai", hour: 0, user: i % 3 == 0 ? null : "u1") with
            {
                WindowStart = new DateTimeOffset(2025, 10, 1, 12, 0, 0, TimeSpan.Zero).AddDays(5 * i),
                WindowEnd = new DateTimeOffset(2025, 10, 1, 13, 0, 0, TimeSpan.Zero).AddDays(5 * i),
            }).ToList();
            await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
            await tx.CommitAsync();
        }
        await c.ExecuteAsync("ANALYZE telemetry.token_usage");
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_partition_tree('telemetry.token_usage') WHERE isleaf AND relid::regclass::text < 'telemetry.token_usage_p202612'")).ShouldBe(14);

        var (dashboards, variables) = GrafanaKit.Definitions("telemetry");
        var values = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in variables)
        {
            var sql = GrafanaMacros.Expand(v.Sql, From, To, "1h", values);
            (await RelationsAsync(c, sql)).ShouldBe(["usage_dims"], $"variable {v.Name}");
            values[v.Name] = (await c.QueryAsync(sql)).Select(r => (string)((IDictionary<string, object?>)r).Values.Single()!).ToList();
        }
        var edges = new[] { "token_usage_p202511", "token_usage_p202611" };
        foreach (var panel in dashboards.SelectMany(d => d.Panels))
        {
            // This one lists each subscription's billing periods from raw_usage: a few day rows per plan, found by the
            // (source_system, window_start) index of each month.
            if (panel.Title == "Plans and their cost") continue;
            var interval = GrafanaMacros.Interval(From, To, panel.MaxDataPoints > 0 ? panel.MaxDataPoints : 1000);
            var relations = await RelationsAsync(c, GrafanaMacros.Expand(panel.Sql, From, To, interval, values));
            relations.Where(r => r.StartsWith("token_usage", StringComparison.Ordinal)).ShouldBeSubsetOf(edges, panel.Title);
            if (panel.Sql.Contains("usage_cells", StringComparison.Ordinal))
                relations.ShouldContain(r => r == "usage_daily_by_model" || r == "usage_monthly", panel.Title);
        }
    }

    /// <summary>The tables and partitions a query's plan reads (after pruning at planning), each once, sorted.</summary>
    private static async Task<List<string>> RelationsAsync(NpgsqlConnection c, string sql)
    {
        var plan = await c.ExecuteScalarAsync<string>($"EXPLAIN (FORMAT JSON) {sql}");
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(JsonDocument.Parse(plan!).RootElement, names);
        return [.. names];
    }

    private static void Collect(JsonElement e, ISet<string> names)
    {
        if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray()) Collect(item, names);
        else if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
                if (p.Name == "Relation Name") names.Add(p.Value.GetString()!);
                else Collect(p.Value, names);
    }
}
