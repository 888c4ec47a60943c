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
}
