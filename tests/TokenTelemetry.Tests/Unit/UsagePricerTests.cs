using Shouldly;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class UsagePricerTests
{
    private static readonly PriceTable Table = PriceTableLoader.Bundled();

    [Fact]
    public void Provider_reported_cost_wins_over_the_table()
    {
        var warnings = new List<string>();
        var priced = new UsagePricer(Table, warnings.Add).Price(new UsageTelemetry
        {
            Model = "openai/gpt-4o", Provider = "openrouter", InputTokens = 8450, CachedReadTokens = 7900, OutputTokens = 610, ProviderCostUsd = 0.004215m,
        });
        priced.ShouldBe(new PricedUsage(0.004215m, CostBasis.ProviderReported, null));
        warnings.ShouldBeEmpty();
    }

    [Fact]
    public void An_unknown_model_costs_null_with_one_warning_per_model()
    {
        var warnings = new List<string>();
        var pricer = new UsagePricer(Table, warnings.Add);
        var usage = new UsageTelemetry { Model = "my-private-model", InputTokens = 10, OutputTokens = 1 };
        pricer.Price(usage).ShouldBe(new PricedUsage(null, null, null));
        pricer.Price(usage).CostUsd.ShouldBeNull();
        pricer.Price(usage with { Model = "other-private-model" }).CostUsd.ShouldBeNull();
        warnings.ShouldBe([
            "no price for model 'my-private-model' in the bundled LiteLLM snapshot of 2026-08-01; its cost stays NULL (add a pricing.overrides entry to price it)",
            "no price for model 'other-private-model' in the bundled LiteLLM snapshot of 2026-08-01; its cost stays NULL (add a pricing.overrides entry to price it)",
        ]);
    }

    [Fact]
    public void A_computed_cost_is_marked_computed()
    {
        var priced = new UsagePricer(Table).Price(new UsageTelemetry { Model = "gpt-4o-mini", InputTokens = 1_000_000, OutputTokens = 1_000_000 });
        // 1e6 * 1.5e-7 + 1e6 * 6e-7 = 0.15 + 0.6
        priced.CostUsd.ShouldBe(0.75m);
        priced.Basis.ShouldBe(CostBasis.Computed);
    }

    [Fact]
    public void Warnings_about_many_distinct_models_are_summarised_not_one_line_per_model()
    {
        var warnings = new List<string>();
        var pricer = new UsagePricer(Table, warnings.Add);
        for (var round = 0; round < 3; round++)
            for (var i = 0; i < 1000; i++)
                pricer.Price(new UsageTelemetry { Model = $"private-model-{i}", InputTokens = 10, OutputTokens = 1 }).CostUsd.ShouldBeNull();
        // The first 20 models one line each; then 980 models × 3 calls = 2,940 occurrences, said at 1, 10, 100, 1,000.
        warnings.Count.ShouldBe(24);
        warnings.Take(20).ShouldAllBe(w => w.StartsWith("no price for model 'private-model-", StringComparison.Ordinal));
        warnings[^1].ShouldStartWith("1,000 more pricing warning(s) beyond the first 20 distinct ones");
        pricer.Warnings.Unlisted.ShouldBe(2_940);
        pricer.Warnings.Summary().ShouldBe("2,940 pricing warning(s) in all beyond the 20 listed (see docs/pricing.md)");
    }

    [Fact]
    public void The_model_lookup_memo_stays_bounded()
    {
        var pricer = new UsagePricer(Table);
        for (var i = 0; i < ModelResolver.MaxMemoised + 5_000; i++)
            pricer.Price(new UsageTelemetry { Model = $"m-{i}", InputTokens = 1, OutputTokens = 1 });
        pricer.Resolver.Memoised.ShouldBeLessThanOrEqualTo(ModelResolver.MaxMemoised);
        pricer.Price(new UsageTelemetry { Model = "gpt-4o-mini", InputTokens = 1_000_000, OutputTokens = 1_000_000 }).CostUsd.ShouldBe(0.75m);
    }
}
