using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Every panel and variable of every dashboard, macros expanded as Grafana does, runs on a real PG 15 holding a
/// seeded dataset (several sources, NULL-cache rows, subscriptions, billed costs, meters, a stale source); key
/// numbers are checked against the table itself. Plus the dashboards' structure and the checked-in grafana/ kit.
/// </summary>
public sealed class GrafanaKitTests
{
    private static readonly DateTimeOffset From = Rows.Day.AddDays(-1);
    private static readonly DateTimeOffset To = Rows.Day.AddDays(2);

    private static Instance Example() => InstanceLocator.Load(Path.Combine(RepoPaths.Root, "instances", "example"), RepoPaths.Root, requireSources: false, environment: _ => "set");

    private static async Task<EngineHarness> SeedAsync()
    {
        var harness = await EngineHarness.CreateAsync();
        TokenUsageRow[] rows =
        [
            Rows.Usage("openai", "gpt-4o", hour: 1, input: 10_000, cachedRead: 8_000, output: 500, reasoning: 0, cost: 0.02m) with { CacheSavingsUsd = 0.01m },
            Rows.Usage("openai", "gpt-4o-mini", hour: 1, input: 1_000, cachedRead: 500, output: 10, cost: 0.0001m) with { CacheSavingsUsd = 0.0000375m },
            Rows.Usage("openai", "o3", hour: 2, input: 5_000, cachedRead: 1_000, output: 3_000, reasoning: 2_000, cost: 0.034m, project: "web"),
            Rows.Usage("litellm", "claude-sonnet-4-5", hour: 3, input: 30_000, cachedRead: 27_000, cachedWrite: 2_000, output: 700, cost: 0.05m, user: "alice") with { Provider = "anthropic", MeasurementBasis = MeasurementBasis.Exact },
            Rows.Usage("copilot", "copilot-cli", hour: 0, input: 812_000, cachedRead: null, output: 23_400, cost: null) with { Provider = "github", Granularity = Granularity.Day, WindowEnd = Rows.Day.AddDays(1) },
            Rows.Usage("subscriptions", "ChatGPT Team", cost: 150m) with
            {
                Granularity = Granularity.Month, WindowStart = Rows.Day, WindowEnd = Rows.Day.AddMonths(1), MeasurementBasis = MeasurementBasis.DerivedEstimate,
                CostBasis = CostBasis.Subscription, InputTokens = null, CachedReadTokens = null, OutputTokens = null, RequestCount = null,
            },
        ];
        await using var connection = await harness.OpenAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
            var store = new WatchdogStatusStore(harness.Schema);
            await store.UpsertAsync(tx, new WatchdogStatusRow { SourceSystem = "openai", Status = "ok", ThresholdSeconds = 7800, StaleSeconds = 60, CheckedBy = "collector", LastPollAt = Rows.Day }, CancellationToken.None);
            await store.UpsertAsync(tx, new WatchdogStatusRow { SourceSystem = "copilot", Status = "stale", ThresholdSeconds = 93600, StaleSeconds = 200000, CheckedBy = "watchdog", Message = "nothing new for 2.3 d" }, CancellationToken.None);
            await store.UpsertAsync(tx, new WatchdogStatusRow { SourceSystem = "__heartbeat__", Status = "ok", ThresholdSeconds = 7200, CheckedBy = "collector", LastPollAt = Rows.Day }, CancellationToken.None);
            await tx.CommitAsync();
        }
        await connection.ExecuteAsync("""
            INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, line_item, amount_usd, currency) VALUES ('openai', @day, @next, 'gpt-4o, input', 0.05, 'USD');
            INSERT INTO telemetry.usage_meter (source_system, meter, observed_at, window_minutes, used_percent, unit, plan) VALUES ('requests', 'codex.primary', @day, 300, 18, 'percent', 'plus');
            INSERT INTO telemetry.rollup_watermark (source_system, user_id, last_processed_end) VALUES ('openai', NULL, @next);
            """, new { day = Rows.Day.UtcDateTime, next = Rows.Day.AddDays(1).UtcDateTime });
        return harness;
    }

    private static async Task<List<Dictionary<string, object?>>> QueryAsync(NpgsqlConnection c, string sql, IReadOnlyDictionary<string, IReadOnlyList<string>> variables)
    {
        var expanded = GrafanaMacros.Expand(sql, From, To, "1h", variables);
        return (await c.QueryAsync(expanded)).Select(r => new Dictionary<string, object?>((IDictionary<string, object?>)r)).ToList();
    }

    [Fact]
    public async Task Every_panel_and_variable_runs_on_real_data_with_the_right_numbers()
    {
        var harness = await SeedAsync();
        var (dashboards, variables) = GrafanaKit.Definitions("telemetry");
        await using var c = await harness.OpenAsync();

        // Variables resolve in order, each seeing the ones before it set to All.
        var values = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in variables)
            values[v.Name] = (await QueryAsync(c, v.Sql, values)).Select(r => r.Values.Single()!.ToString()!).ToList();
        values["source"].ShouldBe(["copilot", "litellm", "openai", "subscriptions"]);
        values["user"].ShouldBe(["(org)", "alice"]);

        var results = new Dictionary<string, List<Dictionary<string, object?>>>();
        foreach (var panel in dashboards.SelectMany(d => d.Panels.Select(p => (d.Uid, p))))
            results[$"{panel.Uid}/{panel.p.Title}"] = await QueryAsync(c, panel.p.Sql, values);

        Convert.ToDecimal(results["tt-overview/Metered spend"].Single()["spend"]).ShouldBe(0.1041m); // 0.02 + 0.0001 + 0.034 + 0.05, copilot unpriced
        Convert.ToDecimal(results["tt-cache/Estimated savings from cache reads"].Single()["saved"]).ShouldBe(0.0100375m);
        Convert.ToDecimal(results["tt-overview/Estimated spend (subscriptions)"].Single()["spend"]).ShouldBe(150m);
        Convert.ToInt64(results["tt-overview/Input tokens"].Single()["input"]).ShouldBe(858_000);
        results["tt-overview/Spend over time by provider"].Sum(r => Convert.ToDecimal(r["value"] ?? 0m)).ShouldBe(150.1041m);
        var byModel = results["tt-cache/Cache hit ratio by model"].ToDictionary(r => (string)r["model"]!, r => Convert.ToDouble(r["hit_ratio"]));
        byModel.Keys.Order().ShouldBe(["claude-sonnet-4-5", "gpt-4o", "gpt-4o-mini", "o3"]); // copilot-cli reports no cache: left out, not 0
        byModel["gpt-4o"].ShouldBe(0.8);
        results["tt-cache/Sources and providers that report no cache reads"].Single()["source_system"].ShouldBe("copilot");
        Convert.ToDouble(results["tt-cache/Reasoning share of output by model"].Single(r => (string)r["model"]! == "o3")["reasoning_share"]).ShouldBe(2000.0 / 3000);
        results["tt-freshness/Source status"].Select(r => (string)r["source_system"]!).ShouldBe(["__heartbeat__", "copilot", "openai"]);
        results["tt-freshness/Source status"].Single(r => (string)r["source_system"]! == "copilot")["status"].ShouldBe("stale");
        var billed = results["tt-overview/Computed vs billed cost per day"].Single();
        Convert.ToDecimal(billed["computed"]).ShouldBe(0.1041m);
        Convert.ToDecimal(billed["billed"]).ShouldBe(0.05m);
        // The query of `reconcile --by day`: the openai source's own rows (0.02 + 0.0001 + 0.034) against its bill, 8.2 % above it
        var bill = results["tt-overview/Does it match the bill? Computed vs billed per billing source and day"].Single();
        (bill["provider"], bill["period"], Convert.ToDecimal(bill["computed_usd"]), Convert.ToDecimal(bill["billed_usd"]), Convert.ToDecimal(bill["drift_pct"]))
            .ShouldBe(("openai", "2026-11-20", 0.0541m, 0.05m, 8.2m));
        Convert.ToDecimal(results["tt-quotas/Quota used (percent)"].Single()["value"]).ShouldBe(18m);
        results["tt-quotas/Plans and their cost"].Single()["plan"].ShouldBe("ChatGPT Team");
    }

    [Fact]
    public async Task The_nextjs_route_sql_runs_with_bound_parameters_and_keeps_null()
    {
        var harness = await SeedAsync();
        var route = GrafanaKit.Render(Example(), deployDirectory: "/srv/token-telemetry").Single(f => f.Path.EndsWith("route.ts", StringComparison.Ordinal)).Content;
        route.ShouldContain("const TABLE = '\"telemetry\".token_usage';");
        var sql = route[(route.IndexOf("const sql = `", StringComparison.Ordinal) + "const sql = `".Length)..];
        sql = sql[..sql.IndexOf('`')].Replace("${column}", "source_system", StringComparison.Ordinal).Replace("${TABLE}", "\"telemetry\".token_usage", StringComparison.Ordinal);
        await using var c = await harness.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        command.Parameters.Add(new NpgsqlParameter { Value = From.UtcDateTime.ToString("O") });
        command.Parameters.Add(new NpgsqlParameter { Value = To.UtcDateTime.ToString("O") });
        command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = "github" });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("copilot");
        reader.GetString(1).ShouldBe("812000");
        reader.IsDBNull(2).ShouldBeTrue(); // cached_read: not reported, stays null
        reader.IsDBNull(5).ShouldBeTrue(); // cost unknown, not 0
        (await reader.ReadAsync()).ShouldBeFalse();
    }

    [Fact]
    public void Dashboards_are_valid_json_with_unique_ids_datasources_queries_and_a_tidy_grid()
    {
        var files = GrafanaKit.Render(Example());
        var dashboards = files.Where(f => f.Path.StartsWith("dashboards/", StringComparison.Ordinal)).Select(f => JsonNode.Parse(f.Content)!.AsObject()).ToList();
        dashboards.Count.ShouldBe(4);
        dashboards.Select(d => (string)d["uid"]!).ShouldBeUnique();
        foreach (var d in dashboards)
        {
            d.ToJsonString().ShouldNotContain("{{");
            d["__inputs"]![0]!["name"]!.GetValue<string>().ShouldBe("DS_POSTGRES");
            var panels = d["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
            panels.Select(p => (int)p["id"]!).ShouldBeUnique();
            var cells = new HashSet<(int, int)>();
            foreach (var p in panels)
            {
                p["datasource"]!["uid"]!.GetValue<string>().ShouldBe("${datasource}");
                p["targets"]![0]!["rawSql"]!.GetValue<string>().ShouldContain("\"telemetry\".");
                var g = p["gridPos"]!;
                var (x, y, w, h) = ((int)g["x"]!, (int)g["y"]!, (int)g["w"]!, (int)g["h"]!);
                (x + w).ShouldBeLessThanOrEqualTo(24);
                for (var i = x; i < x + w; i++)
                    for (var j = y; j < y + h; j++)
                        cells.Add((i, j)).ShouldBeTrue($"panel {p["title"]} overlaps another");
            }
            if ((string)d["uid"]! == "tt-freshness")
                panels[0]["fieldConfig"]!["overrides"]![0]!["properties"]![1]!["value"]![0]!["options"]!["stale"]!["color"]!.GetValue<string>().ShouldBe("red");
            d["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ShouldBe(["datasource", "source", "provider", "model", "user", "project"]);
        }
    }

    [Fact]
    public void The_checked_in_grafana_kit_is_the_render_of_the_reference_instance()
    {
        // As AGENT_DEPLOY.md installs it: the tool in /srv/token-telemetry/.tt, dotnet at its default location, rendered as root.
        var tool = new ScheduledTool("/srv/token-telemetry/.tt/token-telemetry", null, "/usr/share/dotnet", null);
        foreach (var (path, content) in GrafanaKit.Render(Example(), deployDirectory: "/srv/token-telemetry", tool: tool))
            Support.Golden.Matches(Path.Combine(RepoPaths.Root, "grafana", path), content);
    }
}
