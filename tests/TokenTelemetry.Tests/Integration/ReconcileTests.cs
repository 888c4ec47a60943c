using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// `reconcile` against billed_cost collected from replayed OpenAI and Anthropic cost APIs (tests/fixtures/reconcile):
/// without the contract's discounts computed cost is flagged and the drift names the discount that would explain it;
/// with them configured and the stored rows re-priced, computed matches the bill within 0.1 %.
/// </summary>
public sealed class ReconcileTests
{
    private const string Discounts = """
        pricing:
          discounts:
            - provider: openai
              percent: 20
              from: 2026-11-15
            - provider: anthropic
              percent: 10
              from: 2026-11-01
        """;

    private static readonly DateTimeOffset From = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static FixtureHttpServer Server() => new(async c =>
    {
        var file = c.Request.Url!.AbsolutePath switch
        {
            "/v1/organization/usage/completions" => "openai-usage.json",
            "/v1/organization/costs" => "openai-costs.json",
            "/v1/organizations/usage_report/messages" => "anthropic-usage.json",
            "/v1/organizations/cost_report" => "anthropic-cost-report.json",
            _ => null,
        };
        if (file is null) await FixtureHttpServer.Respond(c, 404, "{}");
        else await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path("reconcile", file)));
    });

    private static async Task<EngineHarness> CollectAsync(UsagePricer pricer)
    {
        using var server = Server();
        var harness = await EngineHarness.CreateAsync();
        harness.Clock.Now = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var config = new InstanceConfig
        {
            Sources = new SourcesConfig
            {
                Openai = new OpenAiSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "k", BucketWidth = "1d" },
                Anthropic = new AnthropicSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "k", BucketWidth = "1h" },
            },
        };
        var context = CostHarness.Context(harness, config, pricer);
        using var openai = new OpenAiSource(config.Sources.Openai!, context);
        using var anthropic = new AnthropicSource(config.Sources.Anthropic!, context);
        (await CostHarness.CollectAsync(harness, config, pricer, [openai], new CollectionRange(new DateTimeOffset(2026, 11, 14, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 0, 0, 0, TimeSpan.Zero))))
            .ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        (await CostHarness.CollectAsync(harness, config, pricer, [anthropic], new CollectionRange(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero))))
            .ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        return harness;
    }

    private static async Task<IReadOnlyList<ReconcileRow>> ReconcileAsync(EngineHarness harness, string by = "month")
    {
        await using var connection = await harness.OpenAsync();
        return await new Reconciler(harness.Schema).RunAsync(connection, by, From, To, null, CancellationToken.None);
    }

    [Fact]
    public async Task Without_the_contract_discounts_computed_is_flagged_and_the_drift_names_the_discount_that_explains_it()
    {
        var harness = await CollectAsync(CostHarness.Pricer(EngineHarness.Table));
        var rows = await ReconcileAsync(harness);

        var anthropic = rows[0];
        // computed 0.9 + 0.465 at list; billed 122.85 cents of tokens + 1,000 cents of web search
        (anthropic.Provider, anthropic.Period, anthropic.ComputedUsd, anthropic.BilledUsd, anthropic.OtherBilledUsd, anthropic.DriftUsd, anthropic.DriftPct)
            .ShouldBe(("anthropic", "2026-11", 1.365m, 11.2285m, 10m, 0.1365m, (decimal?)11.111m));
        Reconciler.Beyond(anthropic, 10m).ShouldBeTrue();
        Reconciler.Explain(anthropic, 10m, []).ShouldBe([
            "computed is 11.111 % above the bill: a discount of 10.0 % off list would explain it — if the contract has one, add it to pricing.discounts and run `reprice`",
            "$10.00 of charges that are not tokens (web search, code execution, …) left out of the comparison",
        ]);
        var openai = rows[1];
        // Nov 14–16 have a bill: 3 × 3.85 computed against 3.85 + 2 × 3.08; Nov 17 (3.85) has none yet
        (openai.Provider, openai.ComputedUsd, openai.BilledUsd, openai.DriftUsd, openai.DriftPct, openai.DaysWithoutBill, openai.UnbilledUsd)
            .ShouldBe(("openai", 11.55m, 10.01m, 1.54m, (decimal?)15.385m, 1L, 3.85m));
        Reconciler.Explain(openai, 10m, []).ShouldBe([
            "computed is 15.385 % above the bill: a discount of 13.333 % off list would explain it — if the contract has one, add it to pricing.discounts and run `reprice`",
            "1 day(s) without a bill ($3.85 computed) left out of the comparison: the bill arrives late, or costs are not collected",
        ]);
        rows.Count.ShouldBe(2);

        // Day by day the contract shows: list on the 14th, 25 % above the bill from the 15th (a 20 % discount).
        var days = (await ReconcileAsync(harness, "day")).Where(r => r.Provider == "openai").ToList();
        days.Select(d => (d.Period, d.DriftPct)).ShouldBe([("2026-11-14", (decimal?)0m), ("2026-11-15", 25m), ("2026-11-16", 25m), ("2026-11-17", null)]);
        Reconciler.Explain(days[1], 10m, [])[0].ShouldBe("computed is 25.0 % above the bill: a discount of 20.0 % off list would explain it — if the contract has one, add it to pricing.discounts and run `reprice`");
    }

    [Fact]
    public async Task With_the_discounts_configured_and_the_rows_repriced_computed_matches_the_bill_within_a_tenth_of_a_percent()
    {
        var harness = await CollectAsync(CostHarness.Pricer(EngineHarness.Table));
        var contract = CostHarness.Pricer(EngineHarness.Table, Discounts);
        (await CostHarness.RepriceAsync(harness, contract)).Changed.ShouldBe(8); // 2 Claude hours; 2 OpenAI models × Nov 15, 16, 17

        var rows = await ReconcileAsync(harness);
        rows.ShouldAllBe(r => r.DriftPct != null && Math.Abs(r.DriftPct.Value) <= 0.1m);
        var (anthropic, openai) = (rows[0], rows[1]);
        (anthropic.ComputedUsd, anthropic.DriftUsd, anthropic.DiscountUsd).ShouldBe((1.2285m, 0m, 0.1365m));
        // 3.85 + 3.08 + 3.08 against the bill; the discount took 2 × 0.77 off list on billed days
        (openai.ComputedUsd, openai.BilledUsd, openai.DriftUsd, openai.DiscountUsd, openai.UnbilledUsd).ShouldBe((10.01m, 10.01m, 0m, 1.54m, 3.08m));
        var discounts = PricingRules.DiscountsOf(ConfigLoader.Parse(Discounts, "config.yaml", environment: _ => null).Config.Pricing);
        Reconciler.Explain(openai, 10m, discounts).Take(2).ShouldBe([
            "within ±10.0 %",
            "discounts took $1.54 off list (discount openai * 20% from 2026-11-15)",
        ]);

        // Collected with the discounts in the config from the start, the rows are the same.
        var fresh = await CollectAsync(contract);
        (await ReconcileAsync(fresh)).ShouldBe(rows);
    }

    [Fact]
    public async Task A_bill_above_computed_is_explained_by_models_without_a_price_and_billed_days_without_usage()
    {
        var harness = await EngineHarness.CreateAsync();
        var day = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        await using var connection = await harness.OpenAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await new Database.UsageWriter(harness.Schema, Database.ConflictMode.NullsNotDistinct).UpsertAsync(tx, [
                Rows.Usage("openai", "gpt-4o", cost: 0.35m) with { WindowStart = day, WindowEnd = day.AddHours(1) },
                Rows.Usage("openai", "my-private-model", cost: null) with { WindowStart = day, WindowEnd = day.AddHours(1) },
                // no tokens and no cost (nothing a price could price): not an unpriced row
                Rows.Usage("openai", "web-search", input: null, cachedRead: null, output: null, cost: null) with { WindowStart = day, WindowEnd = day.AddHours(1) },
            ], CancellationToken.None);
            await tx.CommitAsync();
        }
        await Dapper.SqlMapper.ExecuteAsync(connection, """
            INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, line_item, amount_usd, currency) VALUES
                ('openai', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 'all', 0.50, 'USD'),
                ('openai', '2026-11-21T00:00:00Z', '2026-11-22T00:00:00Z', 'all', 0.10, 'USD');
            """);

        var row = (await ReconcileAsync(harness)).ShouldHaveSingleItem();

        (row.ComputedUsd, row.BilledUsd, row.DriftUsd, row.DriftPct, row.UnpricedRows, row.BilledDaysWithoutUsage).ShouldBe((0.35m, 0.6m, -0.25m, (decimal?)-41.667m, 1L, 1L));
        Reconciler.Explain(row, 10m, []).ShouldBe([
            "1 row(s) without a price (my-private-model): computed is understated — add pricing.overrides, then `reprice`",
            "1 billed day(s) without usage rows: collect them (`collect --source openai --from … --to …`)",
        ]);
    }
}
