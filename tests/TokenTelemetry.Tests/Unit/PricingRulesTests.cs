using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>Rates in force at the time: dated overrides, discounts over date ranges, their order, and the snapshot that
/// names them. gpt-4o lists input 2.5e-6, cache read 1.25e-6, output 1e-5 per token in the bundled table.</summary>
public sealed class PricingRulesTests
{
    private static readonly PriceTable Table = PriceTableLoader.Bundled();
    private static readonly DateTimeOffset Nov14Late = new(2026, 11, 14, 23, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nov15 = new(2026, 11, 15, 0, 0, 0, TimeSpan.Zero);

    private static PricingConfig Config(string yaml) => ConfigLoader.Parse(yaml, "config.yaml", environment: _ => null).Config.Pricing;

    private static UsagePricer Pricer(string yaml) => new(PricingRules.FromConfig(Table, Config(yaml)));

    private static UsageTelemetry Gpt4o(long input = 100_000, long cachedRead = 0, long output = 10_000) =>
        new() { Model = "gpt-4o", Provider = "openai", InputTokens = input, CachedReadTokens = cachedRead, OutputTokens = output };

    [Fact]
    public void A_discount_that_starts_mid_month_prices_each_window_with_what_was_in_force_at_its_start()
    {
        var pricer = Pricer("""
            pricing:
              discounts:
                - provider: openai
                  percent: 20
                  from: 2026-11-15
            """);
        // 100,000 × 2.5e-6 + 10,000 × 1e-5 = 0.25 + 0.1 = 0.35 at list; 20 % off from Nov 15: 0.28
        var before = pricer.Price(Gpt4o(), aggregate: true, at: Nov14Late);
        (before.CostUsd, before.ListCostUsd, before.Rules).ShouldBe((0.35m, 0.35m, (string?)null));
        var after = pricer.Price(Gpt4o(), aggregate: true, at: Nov15);
        (after.CostUsd, after.ListCostUsd, after.Rules).ShouldBe((0.28m, 0.35m, "discount openai * 20% from 2026-11-15"));
        after.Provenance.ShouldBe(new PriceProvenance(pricer.Rules.SnapshotId, "gpt-4o", "discount openai * 20% from 2026-11-15", 0.35m));
        // Another provider's contract is not this one: Claude on Nov 15 stays at list (1000 × 3e-6 + 100 × 1.5e-5 = 0.0045).
        pricer.Price(new UsageTelemetry { Model = "claude-sonnet-4-5", Provider = "anthropic", InputTokens = 1000, OutputTokens = 100 }, at: Nov15)
            .CostUsd.ShouldBe(0.0045m);
        // Without a time of its own and without a window start, a usage is priced as of now (here: after Nov 15).
        new UsagePricer(pricer.Rules, clock: new FixedClock(Nov15.AddDays(3))).Price(Gpt4o()).CostUsd.ShouldBe(0.28m);
        pricer.Price(Gpt4o() with { ObservedAt = Nov14Late }).CostUsd.ShouldBe(0.35m);
    }

    [Fact]
    public void An_override_replaced_by_a_later_one_prices_each_day_with_its_own_rate()
    {
        var pricer = Pricer("""
            pricing:
              overrides:
                gpt-4o:
                  - input_cost_per_token: 0.000002
                    to: 2026-11-10
                  - input_cost_per_token: 0.0000018
                    from: 2026-11-10
                    to: 2026-11-20
            """);
        // 100,000 × 2e-6 + 10,000 × 1e-5 (output keeps the table's) = 0.2 + 0.1
        pricer.Price(Gpt4o(), at: new DateTimeOffset(2026, 11, 9, 23, 59, 0, TimeSpan.Zero)).CostUsd.ShouldBe(0.3m);
        // from Nov 10: 100,000 × 1.8e-6 + 0.1 = 0.18 + 0.1
        var replaced = pricer.Price(Gpt4o(), at: new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));
        (replaced.CostUsd, replaced.Rules).ShouldBe((0.28m, "override gpt-4o from 2026-11-10 to 2026-11-20"));
        // from Nov 20 no override is in force: the table's 2.5e-6 again, 0.25 + 0.1
        var table = pricer.Price(Gpt4o(), at: new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        (table.CostUsd, table.Rules).ShouldBe((0.35m, (string?)null));
    }

    [Fact]
    public void Table_then_override_then_discount_and_a_discount_can_take_one_bucket_only()
    {
        var pricer = Pricer("""
            pricing:
              overrides:
                gpt-4o:
                  input_cost_per_token: 0.000002
              discounts:
                - provider: openai
                  models: "gpt-4o*"
                  percent: 50
                  buckets: [input]
            """);
        // uncached 60,000 × 2e-6 (override) = 0.12, − 50 % = 0.06; cache reads 40,000 × 1.25e-6 (table) = 0.05, not discounted;
        // output 10,000 × 1e-5 = 0.1, not discounted. List 0.27, paid 0.21.
        var priced = pricer.Price(Gpt4o(cachedRead: 40_000), aggregate: true, at: Nov15);
        (priced.CostUsd, priced.ListCostUsd).ShouldBe((0.21m, 0.27m));
        priced.Rules.ShouldBe("override gpt-4o; discount openai gpt-4o* 50% on input");
        // Savings at the rates paid: 40,000 × (2e-6 × 0.5 − 1.25e-6) < 0 → 0 saved.
        priced.CacheSavingsUsd.ShouldBe(0m);
        var lines = CostCalculator.Price(pricer.Rules.At(Nov15).Lookup("gpt-4o", "openai").Price!, Gpt4o(cachedRead: 40_000), "openai",
            pricer.Rules.At(Nov15).Lookup("gpt-4o", "openai").Discounts).Lines;
        lines.Select(l => (l.Bucket, l.Cost, l.DiscountPercent, l.Net)).ShouldBe([
            ("input", 0.12m, 50m, 0.06m), ("cache_read", 0.05m, 0m, 0.05m), ("output", 0.1m, 0m, 0.1m),
        ]);
        // Batch rows take the discount on batch input: 100,000 × 1.25e-6 × 0.5 + 10,000 × 5e-6 = 0.0625 + 0.05
        pricer.PriceBatch(Gpt4o(), Nov15).CostUsd.ShouldBe(0.1125m);
    }

    [Fact]
    public void The_snapshot_names_the_table_and_rules_and_the_rules_read_back_as_written()
    {
        const string yaml = """
            pricing:
              overrides:
                gpt-4o:
                  - input_cost_per_token: 0.0000020
                    to: 2026-11-10
              discounts:
                - provider: openai
                  percent: 20
                  from: 2026-11-15
                  name: enterprise 2026
            """;
        var rules = PricingRules.FromConfig(Table, Config(yaml));
        PricingRules.FromConfig(Table, Config(yaml.Replace("0.0000020", "0.000002"))).SnapshotId.ShouldBe(rules.SnapshotId);
        PricingRules.FromConfig(Table, Config(yaml.Replace("percent: 20", "percent: 25"))).SnapshotId.ShouldNotBe(rules.SnapshotId);
        PricingRules.Fixed(Table).SnapshotId.ShouldNotBe(rules.SnapshotId);
        rules.RulesJson.ShouldBe("""{"overrides":[{"key":"gpt-4o","input_cost_per_token":0.000002,"to":"2026-11-10"}],"discounts":[{"name":"enterprise 2026","provider":"openai","models":"*","percent":20,"buckets":[],"from":"2026-11-15"}]}""");
        var (overrides, discounts) = PricingRulesJson.Read(rules.RulesJson);
        new PricingRules(Table, overrides, discounts).SnapshotId.ShouldBe(rules.SnapshotId);
        rules.At(Nov15).Discounts.ShouldHaveSingleItem().Label.ShouldBe("discount enterprise 2026 20% from 2026-11-15");
    }

    [Fact]
    public void Stored_entries_parse_back_into_the_same_prices_tiers_included()
    {
        var claude = Table.Get("claude-sonnet-4-5")!;
        var copy = PriceEntryJson.Table([("claude-sonnet-4-5", PriceEntryJson.Write(claude))], "snapshot", Table.Sha256).Get("claude-sonnet-4-5")!;
        copy.Base.ShouldBe(claude.Base);
        copy.Tiers.ShouldBe(claude.Tiers);
        (copy.Provider, copy.Mode, copy.BatchInput, copy.BatchOutput).ShouldBe((claude.Provider, claude.Mode, claude.BatchInput, claude.BatchOutput));
    }
}
