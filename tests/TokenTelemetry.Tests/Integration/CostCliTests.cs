using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`reconcile`, `reprice`, `pricing explain` and `pricing update` as a user runs them, end to end.</summary>
public sealed class CostCliTests
{
    private static readonly DateTimeOffset Nov14 = new(2026, 11, 14, 0, 0, 0, TimeSpan.Zero);

    private static TokenUsageRow Gpt4o(DateTimeOffset start, string model = "gpt-4o", decimal cost = 0.35m) =>
        Rows.Usage("openai", model, input: 100_000, cachedRead: 0, output: 10_000, cost: cost) with { WindowStart = start, WindowEnd = start.AddHours(1) };

    private static async Task SeedAsync(CliInstance instance, TokenUsageRow[] rows, string sql = "")
    {
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        await connection.OpenAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await new UsageWriter(new SchemaName("telemetry"), ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
            await tx.CommitAsync();
        }
        if (sql.Length > 0) await connection.ExecuteAsync(sql);
    }

    [Fact]
    public async Task Reconcile_flags_the_drift_reprice_applies_the_discount_and_explain_shows_how_a_row_was_priced()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false", """
            pricing:
              discounts:
                - provider: openai
                  percent: 20
                  from: 2026-11-15
                  name: enterprise 2026
            """);
        // Priced at list before the contract was configured (100,000 × 2.5e-6 + 10,000 × 1e-5 = 0.35); billed at 20 % off from Nov 15.
        await SeedAsync(instance, [Gpt4o(Nov14), Gpt4o(Nov14.AddDays(1))], """
            INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, line_item, amount_usd, currency) VALUES
                ('openai', '2026-11-14T00:00:00Z', '2026-11-15T00:00:00Z', 'gpt-4o, input', 0.35, 'USD'),
                ('openai', '2026-11-15T00:00:00Z', '2026-11-16T00:00:00Z', 'gpt-4o, input', 0.28, 'USD');
            """);
        string[] period = ["--from", "2026-11-14T00:00:00Z", "--to", "2026-11-16T00:00:00Z"];

        var flagged = await instance.RunAsync(["reconcile", "--by", "day", "--json", .. period]);
        flagged.ExitCode.ShouldBe(2, flagged.Stderr);
        var days = JsonNode.Parse(flagged.Stdout)!["periods"]!.AsArray();
        days.Select(d => ((string)d!["period"]!, (decimal)d["drift_pct"]!, (bool)d["beyond_tolerance"]!)).ShouldBe([("2026-11-14", 0m, false), ("2026-11-15", 25m, true)]);

        var dry = await instance.RunAsync("reprice", "--dry-run");
        dry.ExitCode.ShouldBe(0, dry.Stderr);
        dry.StdoutLines.ShouldBe([
            "reprice over 2 day(s) of windows: 2 row(s) would change — dry run, nothing written", // Nov 14 only gains its provenance
            $"{"provider",-20} {"rows",9} {"changed",9} {"old USD",20}   {"new USD",20}",
            $"{"openai",-20} {"2",9} {"2",9} {"0.7",20} → {"0.63",20}",
        ]);
        var stored = $"SELECT cost_usd FROM telemetry.token_usage WHERE window_start = '2026-11-15T00:00:00Z'";
        (await new NpgsqlConnection(instance.ConnectionString).ExecuteScalarAsync<decimal>(stored)).ShouldBe(0.35m);

        (await instance.RunAsync("reprice")).ExitCode.ShouldBe(0);
        (await new NpgsqlConnection(instance.ConnectionString).ExecuteScalarAsync<decimal>(stored)).ShouldBe(0.28m);

        var matched = await instance.RunAsync(["reconcile", "--by", "day", .. period]);
        matched.ExitCode.ShouldBe(0, matched.Stderr);
        matched.StdoutLines.ShouldBe([
            "2026-11-14 00:00 → 2026-11-16 00:00 UTC, by day; a drift beyond ±10.0 % fails (watchdog.cost_drift_percent)",
            $"{"provider",-12} {"period",-10} {"computed USD",16} {"billed USD",16} {"drift USD",14} {"drift %",9}  status",
            $"{"openai",-12} {"2026-11-14",-10} {"0.35",16} {"0.35",16} {"0.00",14} {"0.0",9}  ok",
            "    within ±10.0 %",
            $"{"openai",-12} {"2026-11-15",-10} {"0.28",16} {"0.28",16} {"0.00",14} {"0.0",9}  ok",
            "    within ±10.0 %",
            "    discounts took $0.07 off list (discount enterprise 2026 20% from 2026-11-15)",
            "billed USD is the bill's token charges; computed counts only the days that have a bill",
        ]);

        var explained = await instance.RunAsync("pricing", "explain", "--model", "gpt-4o", "--at", "2026-11-15T00:30:00Z");
        explained.ExitCode.ShouldBe(0, explained.Stderr);
        var lines = explained.StdoutLines;
        lines[0].ShouldStartWith("row ");
        lines[0].ShouldEndWith(": openai gpt-4o (provider openai), 2026-11-15T00:00Z → 2026-11-15T01:00Z (hour, provider_aggregate)");
        lines[1].ShouldMatch(@"^  cost_usd 0\.28 USD computed by snapshot [0-9a-f]{16}: the bundled LiteLLM snapshot of 2026-08-01 \(sha256 [0-9a-f]{12}…\)$");
        lines.Skip(2).ShouldBe([
            "  gpt-4o priced as gpt-4o from snapshot " + lines[1].Split("snapshot ")[1][..16] + " (the bundled LiteLLM snapshot of 2026-08-01, sha256 " + lines[1].Split("sha256 ")[1][..12] + "…)",
            "    with discount enterprise 2026 20% from 2026-11-15",
            $"    {"input",-15} {"100,000",12} × {"0.0000025",-14} = {"0.25",14}   − 20% = 0.2",
            $"    {"output",-15} {"10,000",12} × {"0.00001",-14} = {"0.1",14}   − 20% = 0.08",
            $"    {"list",-15} {"",12}   {"",-14}   {"0.35",14} USD before discounts",
            $"    {"total",-15} {"",12}   {"",-14}   {"0.28",14} USD",
            "  = the stored cost_usd",
        ]);
    }

    [Fact]
    public async Task Pricing_update_lists_the_models_in_use_whose_rates_changed_and_the_reprice_that_applies_them()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false", """
            pricing:
              source: url
              url: http://127.0.0.1:9/never-fetched.json
            """);
        instance.Environment["XDG_CACHE_HOME"] = instance.File("cache");
        await SeedAsync(instance, [Gpt4o(Nov14.AddDays(6), "gpt-4o-mini", 0.021m), Gpt4o(Nov14.AddDays(2))]);
        var json = JsonNode.Parse(EmbeddedAssets.ReadBytes("pricing/litellm_model_prices.json"))!;
        json["gpt-4o-mini"]!["input_cost_per_token"] = 0.0000003m;
        File.WriteAllText(instance.File("v2.json"), json.ToJsonString());

        var result = await instance.RunAsync("pricing", "update", "--file", instance.File("v2.json"));

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StdoutLines.Skip(1).ShouldBe([
            "1 of 2 model(s) in use price differently than with the bundled LiteLLM snapshot of 2026-08-01:",
            "  gpt-4o-mini (openai): entry gpt-4o-mini; input 0.00000015 → 0.0000003",
            "stored rows keep their cost until you run `token-telemetry reprice --from 2026-11-20T00:00:00Z` (`--dry-run` shows old → new first)",
        ]);
        File.Exists(instance.File("cache", "token-telemetry", "litellm_model_prices.json")).ShouldBeTrue();
    }
}
