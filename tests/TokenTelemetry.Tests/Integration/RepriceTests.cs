using System.Net;
using Dapper;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// `reprice` against rows the real sources and the real import path wrote: after a table update only the affected
/// rows change and a second run changes nothing; provider-reported costs stay unless included; rows of counted calls are
/// re-priced only where their sums are exact; the rewrite is one statement that triggers (rollups) see.
/// </summary>
public sealed class RepriceTests
{
    private static readonly CollectionRange OpenAiRange = new(new DateTimeOffset(2025, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 11, 20, 3, 0, 0, TimeSpan.Zero));

    private static FixtureHttpServer Replay(string source, Func<HttpListenerContext, string?> file) => new(async c =>
    {
        var name = file(c);
        if (name is null) await FixtureHttpServer.Respond(c, 404, "{}");
        else await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path(source, name)));
    });

    private static async Task<EngineHarness> CollectOpenAiAsync(UsagePricer pricer)
    {
        using var server = Replay("openai", c => c.Request.Url!.AbsolutePath switch
        {
            "/v1/organization/usage/completions" => c.Request.QueryString["page"] == "page_2_cursor" ? "usage-page2.json" : "usage-page1.json",
            "/v1/organization/costs" => "costs.json",
            _ => null,
        });
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Sources = new SourcesConfig { Openai = new OpenAiSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "k", BucketWidth = "1h" } } };
        using var source = new OpenAiSource(config.Sources.Openai!, CostHarness.Context(harness, config, pricer));
        (await CostHarness.CollectAsync(harness, config, pricer, [source], OpenAiRange)).ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        return harness;
    }

    [Fact]
    public async Task After_a_table_update_only_the_affected_rows_change_and_twice_is_once()
    {
        var v1 = CostHarness.Pricer(EngineHarness.Table);
        var harness = await CollectOpenAiAsync(v1);
        var before = await CostHarness.CostsAsync(harness);
        // Each computed row records what priced it: the snapshot, the entry, no rules, its list cost.
        before.Select(c => (c.ModelId, c.CostUsd, c.PriceSnapshot, c.PriceKey, c.PriceRules, c.ListCostUsd)).ShouldBe([
            ("gpt-4o", 0.29m, v1.Rules.SnapshotId, "gpt-4o", null, 0.29m),
            ("gpt-4o-mini", 0.00021m, v1.Rules.SnapshotId, "gpt-4o-mini", null, 0.00021m),
            ("gpt-4o", 0.01m, v1.Rules.SnapshotId, "gpt-4o", null, 0.01m),
            ("gpt-4o#batch", 0.0875m, v1.Rules.SnapshotId, "gpt-4o", null, 0.0875m),
        ]);
        await using (var c = await harness.OpenAsync())
            await c.ExecuteAsync("""
                CREATE TABLE telemetry.seen_updates (id bigint, old_cost numeric, new_cost numeric);
                CREATE FUNCTION telemetry.seen() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO telemetry.seen_updates SELECT n.id, o.cost_usd, n.cost_usd FROM new_rows n JOIN old_rows o USING (id); RETURN NULL; END $$;
                CREATE TRIGGER seen AFTER UPDATE ON telemetry.token_usage REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION telemetry.seen();
                """);

        // The new table doubles gpt-4o-mini's input rate: 1000 × 3e-7 + 100 × 6e-7 = 0.0003 + 0.00006.
        var v2 = CostHarness.Pricer(CostHarness.BundledWith("gpt-4o-mini", "input_cost_per_token", 0.0000003m));
        var dry = await CostHarness.RepriceAsync(harness, v2, new RepriceRequest { DryRun = true });
        (dry.Changed, dry.Providers["openai"].OldUsd, dry.Providers["openai"].NewUsd).ShouldBe((1L, 0.38771m, 0.38786m));
        (await CostHarness.CostsAsync(harness)).ShouldBe(before);

        var first = await CostHarness.RepriceAsync(harness, v2);
        var totals = first.Providers.ShouldHaveSingleItem();
        (totals.Key, totals.Value.Rows, totals.Value.Changed, totals.Value.OldUsd, totals.Value.NewUsd).ShouldBe(("openai", 4L, 1L, 0.38771m, 0.38786m));
        first.LeftAlone.ShouldBeEmpty();
        var after = await CostHarness.CostsAsync(harness);
        var mini = after.Single(c => c.ModelId == "gpt-4o-mini");
        (mini.CostUsd, mini.PriceSnapshot, mini.ListCostUsd).ShouldBe((0.00036m, v2.Rules.SnapshotId, 0.00036m));
        mini.UpdatedAt.ShouldBe(before.Single(c => c.ModelId == "gpt-4o-mini").UpdatedAt.AddTicks(10)); // 1 µs: a re-price is not new data
        after.Where(c => c.ModelId != "gpt-4o-mini").ShouldBe(before.Where(c => c.ModelId != "gpt-4o-mini"));
        await using (var c = await harness.OpenAsync())
        {
            (await c.QueryAsync<(long, decimal, decimal)>("SELECT id, old_cost, new_cost FROM telemetry.seen_updates")).ShouldBe([(mini.Id, 0.00021m, 0.00036m)]);
            // the entries that priced the rows looked at, changed or not
            (await c.QueryAsync<string>("SELECT price_key FROM telemetry.price_entry WHERE table_sha256 = @sha ORDER BY 1", new { sha = v2.Rules.Table.Sha256 })).ShouldBe(["gpt-4o", "gpt-4o-mini"]);
            (await c.ExecuteScalarAsync<string>("SELECT table_source FROM telemetry.price_snapshot WHERE id = @id", new { id = v2.Rules.SnapshotId })).ShouldBe("the test table v2");
            // The rollups followed the repriced row (the dashboards and reconcile read them).
            await RollupState.ShouldMatchFactsAsync(c, harness.Schema);
            (await c.ExecuteScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.usage_daily WHERE model_id = 'gpt-4o-mini'")).ShouldBe(0.00036m);
        }

        var second = await CostHarness.RepriceAsync(harness, v2);
        (second.Changed, second.Providers["openai"].Rows, second.Providers["openai"].OldUsd, second.Providers["openai"].NewUsd).ShouldBe((0L, 4L, 0.38786m, 0.38786m));
        (await CostHarness.CostsAsync(harness)).ShouldBe(after);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.seen_updates")).ShouldBe(1);
    }

    [Fact]
    public async Task Provider_reported_costs_stay_as_reported_unless_included()
    {
        using var server = Replay("anthropic", c => c.Request.Url!.AbsolutePath switch
        {
            "/v1/organizations/usage_report/messages" => c.Request.QueryString["page"] == "cursor_b" ? "usage-page2.json" : "usage-page1.json",
            "/v1/organizations/cost_report" => "cost-report.json",
            _ => null,
        });
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Sources = new SourcesConfig { Anthropic = new AnthropicSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "k", BucketWidth = "1d" } } };
        var list = CostHarness.Pricer(EngineHarness.Table);
        using var source = new AnthropicSource(config.Sources.Anthropic!, CostHarness.Context(harness, config, list));
        var day = new DateTimeOffset(2025, 11, 20, 0, 0, 0, TimeSpan.Zero);
        await CostHarness.CollectAsync(harness, config, list, [source], new CollectionRange(day, day.AddDays(2)));
        var before = await CostHarness.CostsAsync(harness);
        before.Select(c => (c.ModelId, c.CostUsd, c.CostBasis, c.PriceSnapshot is null)).ShouldBe([
            ("claude-haiku-4-5", 0.0085m, "computed", false),
            ("claude-sonnet-4-5-20250929", 22.3455m, "provider_reported", true), // the cost report's own figure: no provenance
            ("claude-sonnet-4-5-20250929", 0.00045m, "computed", false),
        ]);

        var contract = CostHarness.Pricer(EngineHarness.Table, """
            pricing:
              discounts:
                - provider: anthropic
                  percent: 10
            """);
        var result = await CostHarness.RepriceAsync(harness, contract);
        (result.Changed, result.ReportedNotRepriced).ShouldBe((2L, 1L));
        var after = await CostHarness.CostsAsync(harness);
        // 0.0085 × 0.9 and 0.00045 × 0.9; the reported row untouched, updated_at included
        after.Select(c => (c.CostUsd, c.PriceRules)).ShouldBe([(0.00765m, "discount anthropic * 10%"), (22.3455m, null), (0.000405m, "discount anthropic * 10%")]);
        after[1].ShouldBe(before[1]);

        var included = await CostHarness.RepriceAsync(harness, contract, new RepriceRequest { IncludeReported = true });
        included.Changed.ShouldBe(1);
        var reported = (await CostHarness.CostsAsync(harness))[1];
        // 15,230 uncached × 3e-6 + 902,000 read × 3e-7 + 1,200 5-minute × 3.75e-6 + 4,000 1-hour × 6e-6 + 48,700 out × 1.5e-5
        // = 0.04569 + 0.2706 + 0.0045 + 0.024 + 0.7305 = 1.07529 at list (a provider aggregate: base rates); − 10 % = 0.967761
        (reported.CostUsd, reported.CostBasis, reported.ListCostUsd).ShouldBe((0.967761m, "computed", 1.07529m));
        (await harness.ScalarAsync<decimal>($"SELECT (raw_usage ->> 'reported_cost_usd')::numeric FROM telemetry.token_usage WHERE id = {reported.Id}")).ShouldBe(22.3455m);
    }

    [Fact]
    public async Task Rows_of_counted_calls_are_repriced_from_their_sums_only_where_that_is_exact()
    {
        var harness = await EngineHarness.CreateAsync();
        harness.Clock.Now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        using var dir = new TempDirectory();
        var noon = new DateTimeOffset(2026, 11, 20, 12, 30, 0, TimeSpan.Zero);
        File.WriteAllLines(dir.File("noon.jsonl"), [
            // two gpt-4o calls at 12:xx by their own time (1795176000 = 2026-11-20T12:00:00Z)
            """{"id":"chatcmpl-a","object":"chat.completion","created":1795176000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""",
            """{"id":"chatcmpl-b","object":"chat.completion","created":1795176060,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":200}}""",
            // two Claude calls of 150,000 input each, placed by --at: together above the 200k threshold, each below it
            """{"type":"message","id":"msg_a","model":"claude-sonnet-4-5","usage":{"input_tokens":150000,"output_tokens":1000}}""",
            """{"type":"message","id":"msg_b","model":"claude-sonnet-4-5","usage":{"input_tokens":150000,"output_tokens":1000}}""",
        ]);
        File.WriteAllLines(dir.File("one.jsonl"), ["""{"type":"message","id":"msg_c","model":"claude-sonnet-4-5","usage":{"input_tokens":250000,"output_tokens":1000}}"""]);
        var list = CostHarness.Pricer(EngineHarness.Table);
        (await CostHarness.ImportAsync(harness, list, new IngestRequest { Path = dir.File("noon.jsonl"), BaseDirectory = "/", SourceSystem = "import", At = noon })).NewCalls.ShouldBe(4);
        (await CostHarness.ImportAsync(harness, list, new IngestRequest { Path = dir.File("one.jsonl"), BaseDirectory = "/", SourceSystem = "import", At = noon.AddHours(1) })).NewCalls.ShouldBe(1);
        // claude at noon: 2 × (150,000 × 3e-6 + 1,000 × 1.5e-5) = 0.93, each call at base rates;
        // the one call at 13:00 is above 200k: 250,000 × 6e-6 + 1,000 × 2.25e-5 = 1.5225 (the whole request at the long-context rates)
        (await CostHarness.CostsAsync(harness)).Select(c => (c.ModelId, c.CostUsd)).ShouldBe([("claude-sonnet-4-5", 0.93m), ("gpt-4o", 0.0105m), ("claude-sonnet-4-5", 1.5225m)]);

        var contract = CostHarness.Pricer(EngineHarness.Table, """
            pricing:
              discounts:
                - {provider: openai, percent: 20}
                - {provider: anthropic, percent: 10}
            """);
        var result = await CostHarness.RepriceAsync(harness, contract);

        // gpt-4o: (3,000 × 2.5e-6 + 300 × 1e-5) × 0.8 = 0.0105 × 0.8; the single Claude call again as one request: 1.5225 × 0.9
        (await CostHarness.CostsAsync(harness)).Select(c => (c.ModelId, c.CostUsd)).ShouldBe([("claude-sonnet-4-5", 0.93m), ("gpt-4o", 0.0084m), ("claude-sonnet-4-5", 1.37025m)]);
        result.Changed.ShouldBe(2);
        var (rows, models) = result.LeftAlone.ShouldHaveSingleItem().Value;
        result.LeftAlone.Keys.Single().ShouldBe(Repricer.Tiered);
        (rows, models.Single()).ShouldBe((1L, "claude-sonnet-4-5"));
    }

    [Fact]
    public async Task A_row_a_collector_rewrote_after_it_was_read_is_left_as_that_writer_priced_it()
    {
        var harness = await CollectOpenAiAsync(CostHarness.Pricer(EngineHarness.Table));
        var contract = CostHarness.Pricer(EngineHarness.Table, "pricing:\n  discounts:\n    - {provider: openai, percent: 50}");
        var store = new RepriceStore(harness.Schema);
        await using var connection = await harness.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var (from, to) = (OpenAiRange.Start, OpenAiRange.End);
        await store.OpenAsync(tx, from, to, [], false, CancellationToken.None);
        var rows = await RepriceStore.FetchAsync(tx, 100, CancellationToken.None);
        var updates = rows.Select(r => Repricer.Decide(r, contract).Update!).ToList();
        updates.Count.ShouldBe(4);
        // Meanwhile a collector re-collects the gpt-4o-mini hour.
        var mini = rows.Single(r => r.Row.ModelId == "gpt-4o-mini").Id;
        await using (var collector = await harness.OpenAsync())
            await collector.ExecuteAsync($"UPDATE telemetry.token_usage SET cost_usd = 0.00042, updated_at = now() + interval '1 second' WHERE id = {mini}");

        (await store.UpdateAsync(tx, from, to, updates, CancellationToken.None)).ShouldBe(3);
        await tx.CommitAsync();
        (await CostHarness.CostsAsync(harness)).Select(c => (c.ModelId, c.CostUsd)).ShouldBe([
            ("gpt-4o", 0.145m), ("gpt-4o-mini", 0.00042m), ("gpt-4o", 0.005m), ("gpt-4o#batch", 0.04375m),
        ]);
    }
}
