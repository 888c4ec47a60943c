using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

/// <summary>pricing.overrides with dates and pricing.discounts in config.yaml: both shapes of an override, and every
/// overlap reported as an error naming both entries, with its line.</summary>
public sealed class PricingConfigTests
{
    private static LoadedConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "config.yaml", environment: _ => null);

    [Fact]
    public void An_override_is_one_mapping_or_a_list_of_dated_ones()
    {
        var pricing = Parse("""
            pricing:
              overrides:
                my-model:
                  input_cost_per_token: 0.000003
                gpt-4o:
                  - input_cost_per_token: 0.000002
                    to: 2026-11-15
                  - input_cost_per_token: 0.0000018
                    from: 2026-11-15
              discounts:
                - provider: openai
                  percent: 20
                  from: 2026-11-15
                  to:
            """).Config.Pricing;
        pricing.Overrides["my-model"].ShouldBe([new PriceOverrideConfig { InputCostPerToken = 0.000003m }]);
        pricing.Overrides["gpt-4o"].ShouldBe([
            new PriceOverrideConfig { InputCostPerToken = 0.000002m, To = new DateOnly(2026, 11, 15) },
            new PriceOverrideConfig { InputCostPerToken = 0.0000018m, From = new DateOnly(2026, 11, 15) },
        ]);
        var discount = pricing.Discounts.ShouldHaveSingleItem();
        (discount.Provider, discount.Models, discount.Percent, discount.From, discount.To).ShouldBe(("openai", "*", 20m, new DateOnly(2026, 11, 15), (DateOnly?)null));
    }

    [Fact]
    public void Overlapping_overrides_of_a_model_are_an_error_naming_both()
    {
        var error = Should.Throw<ConfigException>(() => Parse("""
            pricing:
              overrides:
                gpt-4o:
                  - input_cost_per_token: 0.000002
                    to: 2026-11-16
                  - input_cost_per_token: 0.0000018
                    from: 2026-11-15
            """));
        var problem = error.Problems.ShouldHaveSingleItem();
        (problem.Path, problem.Line).ShouldBe(("pricing.overrides.gpt-4o[1]", 6));
        problem.Message.ShouldBe("overlaps pricing.overrides.gpt-4o[0] (always → 2026-11-16 and 2026-11-15 → open): which rates apply would be a guess; end one where the other starts (to is exclusive)");
    }

    [Fact]
    public void Overlapping_discounts_are_an_error_naming_both_and_neighbours_are_not()
    {
        var error = Should.Throw<ConfigException>(() => Parse("""
            pricing:
              discounts:
                - provider: openai
                  models: "gpt-4o*"
                  percent: 20
                  from: 2026-11-01
                - provider: OpenAI
                  models: "*-mini"
                  percent: 30
                  from: 2026-12-01
                  buckets: [input]
            """));
        var problem = error.Problems.ShouldHaveSingleItem();
        (problem.Path, problem.Line).ShouldBe(("pricing.discounts[1]", 7));
        problem.Message.ShouldBe("overlaps pricing.discounts[0] (openai 'gpt-4o*' 2026-11-01 → open and '*-mini' 2026-12-01 → open, buckets all and input): at most one discount applies to a bucket on a day; end one where the other starts, or split the models or buckets");

        // One ends where the next starts; other models; other buckets; another provider: no overlap.
        Parse("""
            pricing:
              discounts:
                - {provider: openai, percent: 20, to: 2026-12-01}
                - {provider: openai, percent: 25, from: 2026-12-01}
                - {provider: anthropic, models: "claude-*", percent: 10, buckets: [input]}
                - {provider: anthropic, models: "claude-*", percent: 5, buckets: [output, cache_write]}
                - {provider: anthropic, models: "gpt-*", percent: 50}
            """).Config.Pricing.Discounts.Count.ShouldBe(5);
    }

    [Fact]
    public void A_discount_needs_a_provider_a_percent_between_0_and_100_known_buckets_and_ordered_dates()
    {
        var error = Should.Throw<ConfigException>(() => Parse("""
            pricing:
              discounts:
                - percent: 100
                  buckets: [inputs]
                  from: 2026-12-01
                  to: 2026-11-01
            """));
        error.Problems.Select(p => (p.Path, p.Message)).ShouldBe([
            ("pricing.discounts[0].provider", "required (the provider the contract is with, as rows name it: openai, anthropic, …)"),
            ("pricing.discounts[0].percent", "100 is not between 0 and 100 (exclusive): the percent taken off the computed cost"),
            ("pricing.discounts[0].buckets", "'inputs' is not a bucket (input, cache_read, cache_write, cache_write_5m, cache_write_1h, output, reasoning)"),
            ("pricing.discounts[0].to", "2026-11-01 is not after from 2026-12-01 (to is exclusive)"),
        ]);
    }

    [Theory]
    [InlineData("gpt-4o*", "*-mini", true)]       // gpt-4o-mini
    [InlineData("gpt-4o", "GPT-4?", true)]
    [InlineData("gpt-4o", "claude-*", false)]
    [InlineData("*x", "*y", false)]
    [InlineData("a*b*c", "*bc", true)]            // abc
    [InlineData("gpt-4o?", "gpt-4o", false)]
    public void Model_patterns_intersect_when_one_id_can_match_both(string a, string b, bool expected)
    {
        ModelGlob.Intersects(a, b).ShouldBe(expected);
        ModelGlob.Intersects(b, a).ShouldBe(expected);
    }

    [Fact]
    public void A_model_pattern_matches_ids_case_insensitively()
    {
        ModelGlob.Matches("claude-sonnet-4-5*", "claude-sonnet-4-5-20250929").ShouldBeTrue();
        ModelGlob.Matches("gpt-4o", "GPT-4O").ShouldBeTrue();
        ModelGlob.Matches("gpt-4o", "gpt-4o-mini").ShouldBeFalse();
        ModelGlob.Matches("gpt-?o", "gpt-4o").ShouldBeTrue();
        ModelGlob.Matches("*", "").ShouldBeTrue();
    }
}
