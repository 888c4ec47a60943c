using System.Globalization;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Every panel gives the same numbers from the rollups as from the facts alone (<see cref="FactsOracle"/>), on the same
/// data: two months of rows in every granularity (15 min to a month) with every NULL pattern, over ranges that start
/// and end mid-hour, on midnight, inside one hour and across whole months, with interval buckets from 30 min to a week,
/// and with the variables at All or narrowed (which turns the rollups of users and projects off).
/// </summary>
public sealed class PanelEquivalenceTests
{
    private static readonly DateTimeOffset First = new(2026, 9, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Last = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static readonly (DateTimeOffset From, DateTimeOffset To)[] Ranges =
    [
        (new(2026, 9, 25, 13, 47, 12, TimeSpan.Zero), new(2026, 11, 20, 8, 12, 0, TimeSpan.Zero)),
        (new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
        (new(2026, 10, 10, 10, 5, 0, TimeSpan.Zero), new(2026, 10, 10, 10, 50, 0, TimeSpan.Zero)),
        (new(2026, 10, 10, 3, 30, 0, TimeSpan.Zero), new(2026, 10, 10, 20, 10, 0, TimeSpan.Zero)),
        (new(2026, 10, 10, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 11, 17, 59, 59, TimeSpan.Zero).AddMilliseconds(500)),
        (new(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)),
    ];

    private static readonly string[] Intervals = ["30m", "1h", "6h", "1d", "7d"];

    [Fact]
    public async Task Every_panel_gives_the_same_numbers_from_the_rollups_as_from_the_facts()
    {
        var harness = await EngineHarness.CreateAsync();
        await using var c = await harness.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx, Seed().ToList(), CancellationToken.None);
            await tx.CommitAsync();
        }
        await RollupState.ShouldMatchFactsAsync(c, harness.Schema);
        await FactsOracle.InstallAsync(c);
        var (dashboards, variables) = GrafanaKit.Definitions("telemetry");
        var panels = dashboards.SelectMany(d => d.Panels).Where(p => p.Sql.Contains(".usage_cells", StringComparison.Ordinal)).ToList();
        panels.Count.ShouldBe(21);

        var all = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in variables)
            all[v.Name] = (await c.QueryAsync(GrafanaMacros.Expand(v.Sql, First, Last, "1h", all))).Select(r => (string)((IDictionary<string, object?>)r).Values.Single()!).ToList();
        all["user"].ShouldBe(["(org)", "u1", "u2", "u3"]);
        var selections = new[]
        {
            all,
            new Dictionary<string, IReadOnlyList<string>>(all) { ["user"] = ["(org)", "u2"] },
            new Dictionary<string, IReadOnlyList<string>>(all) { ["model"] = ["gpt-4o", "copilot-cli", "plan"], ["project"] = ["(none)", "web"] },
        };

        var compared = 0;
        var withRows = 0;
        var mismatches = new List<string>();
        foreach (var (from, to) in Ranges)
            foreach (var interval in Intervals)
                foreach (var selection in selections)
                    foreach (var panel in panels)
                    {
                        if (interval != "1h" && !panel.Sql.Contains("$__interval", StringComparison.Ordinal)) continue;
                        var rollups = await RowsAsync(c, GrafanaMacros.Expand(panel.Sql, from, to, interval, selection));
                        var facts = await RowsAsync(c, GrafanaMacros.Expand(FactsOracle.FromFacts(panel.Sql), from, to, interval, selection));
                        compared++;
                        if (facts.Any(r => r.Split('|').Any(kv => kv.Contains('=', StringComparison.Ordinal) && !kv.EndsWith("=null", StringComparison.Ordinal)))) withRows++;
                        // As multisets: a time series panel orders by time only, and rows of one time (one per metric)
                        // come in either order; the top-N tables order totally (value, then label), so equal contents
                        // mean equal order there.
                        if (!rollups.Order(StringComparer.Ordinal).SequenceEqual(facts.Order(StringComparer.Ordinal)))
                            mismatches.Add($"{panel.Title} {from:O}→{to:O} {interval} users {string.Join(",", selection["user"])}: rollups [{string.Join("; ", rollups.Take(3))}] facts [{string.Join("; ", facts.Take(3))}]");
                    }

        mismatches.ShouldBeEmpty(string.Join("\n", mismatches.Take(5)));
        compared.ShouldBe(Ranges.Length * selections.Length * (panels.Count + (Intervals.Length - 1) * panels.Count(p => p.Sql.Contains("$__interval", StringComparison.Ordinal))));
        withRows.ShouldBeGreaterThan(compared * 3 / 4); // most comparisons have numbers in them, not two empty results
    }

    private static async Task<List<string>> RowsAsync(NpgsqlConnection c, string sql) =>
        (await c.QueryAsync(sql)).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Select(kv => $"{kv.Key}={Format(kv.Value)}")) + "|").ToList();

    private static string Format(object? value) => value switch
    {
        null => "null",
        decimal d => d.ToString("G29", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Two months of rows: 15-minute, hourly, daily and monthly series, users and projects with NULLs, and every
    /// metric now reported, now NULL — including the rows the CHECK constraints allow but no source writes.</summary>
    private static IEnumerable<TokenUsageRow> Seed()
    {
        (string Source, string Provider, string Model, Granularity G, int Every, MeasurementBasis Basis)[] series =
        [
            ("litellm", "openai", "gpt-4o", Granularity.FifteenMinutes, 5, MeasurementBasis.Exact),
            ("litellm", "anthropic", "claude-sonnet-4-5", Granularity.Hour, 1, MeasurementBasis.Exact),
            ("openai", "openai", "o3", Granularity.Hour, 2, MeasurementBasis.ProviderAggregate),
            ("copilot", "github", "copilot-cli", Granularity.Day, 1, MeasurementBasis.ProviderAggregate),
            ("subscriptions", "openai", "plan", Granularity.Day, 1, MeasurementBasis.DerivedEstimate),
            ("manual", "acme", "acme-large", Granularity.Month, 1, MeasurementBasis.ProviderAggregate),
        ];
        string?[] users = [null, "u1", "u2", "u3"];
        string?[] projects = [null, "web", "api"];
        var n = 0;
        var keys = new HashSet<(string, DateTimeOffset, string?, string?)>();
        foreach (var (source, provider, model, g, every, basis) in series)
        {
            var step = 0;
            for (var start = g == Granularity.Month ? new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero) : First; start < Last; start = WindowGrid.Next(start, g), step++)
            {
                if (step % every != 0) continue;
                for (var k = 0; k < 1 + step % 3; k++)
                {
                    var h = (ulong)(++n * 2654435761L % 1_000_003);
                    var (user, project) = (users[(int)(h % 4)], projects[(int)(h / 4 % 3)]);
                    if (keys.Add((model, start, user, project))) yield return Row(source, provider, model, g, basis, start, user, project, h);
                }
            }
        }
    }

    private static TokenUsageRow Row(string source, string provider, string model, Granularity g, MeasurementBasis basis, DateTimeOffset start, string? user, string? project, ulong h)
    {
        long? input = h % 5 == 0 ? null : 1000 + (long)(h % 977);
        long? cachedRead = h % 3 == 0 ? null : input is { } i ? i / 4 : 7;
        long? cachedWrite = h % 4 == 0 && input is { } w ? w / 10 : null;
        long? oneHour = cachedWrite is { } cw ? (h % 8 == 0 ? cw / 2 : null) : h % 11 == 0 ? 3 : null;
        long? output = h % 6 == 0 ? null : 100 + (long)(h % 97);
        long? reasoning = output is { } o ? (h % 2 == 0 ? o / 3 : null) : h % 9 == 0 ? 5 : null;
        decimal? cost = basis == MeasurementBasis.DerivedEstimate ? 0.666666666m : h % 7 == 0 ? null : decimal.Round((input ?? 0) * 0.000002m + (output ?? 0) * 0.00001m, 9);
        return new TokenUsageRow
        {
            SourceSystem = source, Provider = provider, Model = model, ModelId = model, UserId = user, ProjectId = project,
            WindowStart = start, WindowEnd = WindowGrid.Next(start, g), Granularity = g, MeasurementBasis = basis,
            InputTokens = basis == MeasurementBasis.DerivedEstimate ? null : input, CachedReadTokens = basis == MeasurementBasis.DerivedEstimate ? null : cachedRead,
            CachedWriteTokens = cachedWrite, CachedWrite1hTokens = oneHour, OutputTokens = output, ReasoningTokens = reasoning,
            RequestCount = h % 10 == 0 ? null : 1 + (long)(h % 5), CostUsd = cost,
            CostBasis = cost is null ? null : basis == MeasurementBasis.DerivedEstimate ? CostBasis.Subscription : source == "openai" ? CostBasis.ProviderReported : CostBasis.Computed,
            CacheSavingsUsd = cachedRead is { } r && cost is not null && basis != MeasurementBasis.DerivedEstimate ? r * 0.0000015m : null,
        };
    }
}
