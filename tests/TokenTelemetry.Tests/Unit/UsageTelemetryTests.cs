using Shouldly;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class UsageTelemetryTests
{
    private static readonly UsageTelemetry WithCache = new()
    {
        InputTokens = 1000, CachedReadTokens = 800, CachedWriteTokens = null, OutputTokens = 100, ReasoningTokens = 40,
        RequestCount = 1, ProviderCostUsd = 0.01m, Model = "m", Provider = "openai", Route = "openai.chat",
    };

    private static readonly UsageTelemetry WithoutCache = new()
    {
        InputTokens = 500, CachedReadTokens = null, CachedWriteTokens = null, OutputTokens = 50, ReasoningTokens = null,
        RequestCount = 1, ProviderCostUsd = null, Model = "m", Provider = "openai", Route = "openai.chat",
    };

    [Fact]
    public void Null_plus_null_stays_null_and_null_plus_a_value_is_the_value_marked_partial()
    {
        var sum = WithCache.Add(WithoutCache);
        sum.InputTokens.ShouldBe(1500);
        sum.CachedReadTokens.ShouldBe(800);
        sum.CachedWriteTokens.ShouldBeNull();
        sum.OutputTokens.ShouldBe(150);
        sum.ReasoningTokens.ShouldBe(40);
        sum.RequestCount.ShouldBe(2);
        sum.ProviderCostUsd.ShouldBe(0.01m);
        sum.PartiallyUnknown.Order().ShouldBe(["cached_read_tokens", "cost_usd", "reasoning_tokens"]);
        sum.Model.ShouldBe("m");
    }

    [Fact]
    public void Partial_knowledge_survives_further_sums_and_mixed_descriptions_become_null()
    {
        var other = WithoutCache with { Model = "other", CachedReadTokens = 10 };
        var sum = WithCache.Add(WithoutCache).Add(other);
        sum.CachedReadTokens.ShouldBe(810);
        sum.PartiallyUnknown.ShouldContain("cached_read_tokens");
        sum.Model.ShouldBeNull();
        sum.Provider.ShouldBe("openai");
    }

    [Fact]
    public void Inconsistencies_are_named()
    {
        (WithCache with { CachedReadTokens = 1200 }).Inconsistency().ShouldBe("cached_read_tokens + cached_write_tokens (1200) exceed input_tokens (1000)");
        (WithCache with { CachedWrite1hTokens = 5 }).Inconsistency().ShouldBe("cached_write_1h_tokens (5) exceed cached_write_tokens (null)");
        WithCache.Inconsistency().ShouldBeNull();
    }

    [Fact]
    public void A_sum_beyond_64_bits_throws_instead_of_wrapping()
    {
        // 10 + 2 × (2^63 − 1) wrapped to 8 before sums were checked.
        var ten = new UsageTelemetry { InputTokens = 10, OutputTokens = 1 };
        var huge = new UsageTelemetry { InputTokens = long.MaxValue, OutputTokens = 1 };
        Should.Throw<OverflowException>(() => ten.Add(huge).Add(huge));
        ten.Add(new UsageTelemetry { InputTokens = long.MaxValue - 10, OutputTokens = 1 }).InputTokens.ShouldBe(long.MaxValue);
        Should.Throw<OverflowException>(() => new UsageTelemetry { ProviderCostUsd = decimal.MaxValue }.Add(new UsageTelemetry { ProviderCostUsd = 1 }));
    }
}
