using Shouldly;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>
/// Costs from the bundled LiteLLM table, each expected total computed by hand in the comment above it
/// (rates in USD per token, as the table has them).
/// </summary>
public sealed class CostCalculatorTests
{
    private static readonly PriceTable Table = PriceTableLoader.Bundled();

    private static UsageTelemetry Usage(long input, long output, long cachedRead = 0, long cachedWrite = 0, long oneHour = 0, long reasoning = 0, string? provider = null) =>
        new()
        {
            InputTokens = input, CachedReadTokens = cachedRead, CachedWriteTokens = cachedWrite, CachedWrite1hTokens = oneHour,
            OutputTokens = output, ReasoningTokens = reasoning, RequestCount = 1, Provider = provider,
        };

    private static CostBreakdown Price(string model, UsageTelemetry usage, string? provider = null)
    {
        var price = new ModelResolver(Table).Resolve(model, provider).ShouldNotBeNull();
        return CostCalculator.Price(price, usage, provider);
    }

    [Fact]
    public void Anthropic_with_cache_reads_and_5_minute_and_1_hour_writes()
    {
        // claude-sonnet-4-5: in 3e-6, read 3e-7, write 3.75e-6, 1h 6e-6, out 1.5e-5; uncached = 100000-60000-20000 = 20000.
        // 20000*3e-6 + 60000*3e-7 + 15000*3.75e-6 + 5000*6e-6 + 1500*1.5e-5 + 500*1.5e-5
        // = 0.06 + 0.018 + 0.05625 + 0.03 + 0.0225 + 0.0075 = 0.19425
        var cost = Price("claude-sonnet-4-5", Usage(100_000, 2_000, cachedRead: 60_000, cachedWrite: 20_000, oneHour: 5_000, reasoning: 500));
        cost.Total.ShouldBe(0.19425m);
        cost.TierAboveTokens.ShouldBeNull();
        cost.Fallbacks.ShouldBeEmpty();
    }

    [Fact]
    public void Anthropic_above_200k_switches_every_rate_for_the_whole_request()
    {
        // input 250000 > 200000: in 6e-6, read 6e-7, write 7.5e-6, 1h 1.2e-5, out 2.25e-5; uncached = 250000-150000-40000 = 60000.
        // 60000*6e-6 + 150000*6e-7 + 30000*7.5e-6 + 10000*1.2e-5 + 1500*2.25e-5 + 500*2.25e-5
        // = 0.36 + 0.09 + 0.225 + 0.12 + 0.03375 + 0.01125 = 0.84
        var cost = Price("claude-sonnet-4-5-20250929", Usage(250_000, 2_000, cachedRead: 150_000, cachedWrite: 40_000, oneHour: 10_000, reasoning: 500));
        cost.Total.ShouldBe(0.84m);
        cost.TierAboveTokens.ShouldBe(200_000);
    }

    [Fact]
    public void A_missing_long_context_1_hour_rate_for_claude_is_2x_the_tier_input_and_says_so()
    {
        // claude-sonnet-4-20250514 has no cache_creation_input_token_cost_above_1hr_above_200k_tokens.
        // 210000 > 200000: 200000*6e-6 + 10000*(2*6e-6) + 100*2.25e-5 = 1.2 + 0.12 + 0.00225 = 1.32225
        var cost = Price("claude-sonnet-4-20250514", Usage(210_000, 100, cachedWrite: 10_000, oneHour: 10_000));
        cost.Total.ShouldBe(1.32225m);
        cost.Fallbacks.ShouldBe(["cache_write_1h: no 1-hour write rate: 2 × input (Anthropic's 1-hour write price)"]);
    }

    [Fact]
    public void OpenAI_cached_input_is_billed_once_at_the_cache_rate()
    {
        // gpt-4o: in 2.5e-6, read 1.25e-6, out 1e-5: 2000*2.5e-6 + 8000*1.25e-6 + 500*1e-5 = 0.005 + 0.01 + 0.005 = 0.02
        Price("gpt-4o", Usage(10_000, 500, cachedRead: 8_000)).Total.ShouldBe(0.02m);
    }

    [Fact]
    public void Cache_savings_are_the_reads_times_the_input_rate_minus_the_cache_rate()
    {
        var price = new ModelResolver(Table).Resolve("gpt-4o")!;
        // 8000 * (2.5e-6 - 1.25e-6)
        CostCalculator.CacheSavings(price, Usage(10_000, 500, cachedRead: 8_000)).ShouldBe(0.01m);
        CostCalculator.CacheSavings(price, Usage(10_000, 500)).ShouldBe(0m);
        CostCalculator.CacheSavings(price, new UsageTelemetry { InputTokens = 10, OutputTokens = 1 }).ShouldBeNull(); // cache not reported
        // openrouter/openai/gpt-4o has no cache-read rate: the saving is unknown, not zero
        CostCalculator.CacheSavings(new ModelResolver(Table).Resolve("openrouter/openai/gpt-4o")!, Usage(10_000, 500, cachedRead: 8_000)).ShouldBeNull();
    }

    [Fact]
    public void Batch_usage_uses_the_batch_rates_and_never_the_interactive_ones()
    {
        var warnings = new List<string>();
        var pricer = new UsagePricer(Table, warnings.Add);
        // gpt-4o batch: in 1.25e-6, out 5e-6. 10000*1.25e-6 + 500*5e-6 = 0.0125 + 0.0025; cache reads pay the batch input rate
        pricer.PriceBatch(Usage(10_000, 500, cachedRead: 8_000) with { Model = "gpt-4o" })
            .ShouldBe(new PricedUsage(0.015m, CostBasis.Computed, "gpt-4o") { Snapshot = pricer.Rules.SnapshotId, ListCostUsd = 0.015m });
        // gpt-5 has no batch rates in the snapshot: NULL, not its interactive price
        pricer.PriceBatch(Usage(10_000, 500) with { Model = "gpt-5" }).CostUsd.ShouldBeNull();
        warnings.ShouldBe([
            "pricing batch usage of 'gpt-4o' as gpt-4o: no batch cache rate: cache tokens billed at the batch input rate",
            "no batch price for 'gpt-5' in the bundled LiteLLM snapshot of 2026-08-01; its batch usage cost stays NULL (the billed cost is in billed_cost)",
        ]);
        UsagePricer.HasPrice(new ModelResolver(Table), "gpt-4o#batch", "openai").ShouldBeTrue();
        UsagePricer.HasPrice(new ModelResolver(Table), "gpt-5#batch", "openai").ShouldBeFalse();
        UsagePricer.HasPrice(new ModelResolver(Table), "gpt-5", "openai").ShouldBeTrue();
    }

    [Fact]
    public void Reasoning_without_its_own_rate_is_part_of_output_and_never_billed_twice()
    {
        // o3: in 2e-6, out 8e-6: 5000*2e-6 + 1000*8e-6 + 2000*8e-6 = 0.01 + 0.008 + 0.016 = 0.034
        Price("o3", Usage(5_000, 3_000, reasoning: 2_000)).Total.ShouldBe(0.034m);
    }

    [Fact]
    public void Reasoning_with_its_own_rate_uses_it_for_the_reasoning_part_only()
    {
        // dashscope/qwen-turbo: in 5e-8, out 2e-7, reasoning 5e-7: 1000*5e-8 + 2000*2e-7 + 1000*5e-7 = 0.00005 + 0.0004 + 0.0005 = 0.00095
        Price("dashscope/qwen-turbo", Usage(1_000, 3_000, reasoning: 1_000)).Total.ShouldBe(0.00095m);
    }

    [Fact]
    public void Gemini_above_200k_with_the_provider_choosing_the_ai_studio_entry()
    {
        // provider google prefers gemini/gemini-2.5-pro (the bare key is the Vertex entry). 300000 > 200000:
        // in 2.5e-6, read 2.5e-7, out 1.5e-5: 200000*2.5e-6 + 100000*2.5e-7 + 6000*1.5e-5 + 4000*1.5e-5 = 0.5 + 0.025 + 0.09 + 0.06 = 0.675
        var cost = Price("gemini-2.5-pro", Usage(300_000, 10_000, cachedRead: 100_000, reasoning: 4_000), provider: "google");
        cost.MatchedKey.ShouldBe("gemini/gemini-2.5-pro");
        cost.Total.ShouldBe(0.675m);
    }

    [Fact]
    public void DeepSeek_cache_hits()
    {
        // deepseek/deepseek-chat: in 2.8e-7, read 2.8e-8, out 4.2e-7:
        // 366*2.8e-7 + 4864*2.8e-8 + 980*4.2e-7 = 0.00010248 + 0.000136192 + 0.0004116 = 0.000650272
        var cost = Price("deepseek-chat", Usage(5_230, 980, cachedRead: 4_864), provider: "deepseek");
        cost.MatchedKey.ShouldBe("deepseek/deepseek-chat");
        cost.Total.ShouldBe(0.000650272m);
    }

    [Fact]
    public void A_bedrock_region_profile_uses_its_own_10_percent_higher_entry()
    {
        // us.anthropic.claude-sonnet-4-5-20250929-v1:0: in 3.3e-6, out 1.65e-5: 10000*3.3e-6 + 1000*1.65e-5 = 0.033 + 0.0165 = 0.0495
        Price("us.anthropic.claude-sonnet-4-5-20250929-v1:0", Usage(10_000, 1_000), "bedrock").Total.ShouldBe(0.0495m);
    }

    [Fact]
    public void A_bedrock_region_without_an_entry_falls_back_to_the_model_without_the_region()
    {
        // no apac. entry: anthropic.claude-sonnet-4-5-20250929-v1:0 at 3e-6 / 1.5e-5: 0.03 + 0.015 = 0.045
        var cost = Price("apac.anthropic.claude-sonnet-4-5-20250929-v1:0", Usage(10_000, 1_000), "bedrock");
        cost.MatchedKey.ShouldBe("anthropic.claude-sonnet-4-5-20250929-v1:0");
        cost.Total.ShouldBe(0.045m);
    }

    [Fact]
    public void A_bedrock_claude_entry_without_a_1_hour_rate_never_prices_those_writes_at_zero()
    {
        // anthropic.claude-sonnet-4-20250514-v1:0 lacks cache_creation_input_token_cost_above_1hr: 1000*(2*3e-6) = 0.006
        var cost = Price("anthropic.claude-sonnet-4-20250514-v1:0", Usage(1_000, 0, cachedWrite: 1_000, oneHour: 1_000), "bedrock");
        cost.Total.ShouldBe(0.006m);
        cost.Fallbacks.ShouldHaveSingleItem().ShouldStartWith("cache_write_1h: no 1-hour write rate: 2 × input");
    }

    [Fact]
    public void XAI_long_context_starts_at_the_threshold_itself()
    {
        // xai/grok-4-fast-reasoning, input exactly 128000 (>= for xAI): 128000*4e-7 + 1000*1e-6 = 0.0512 + 0.001 = 0.0522
        Price("xai/grok-4-fast-reasoning", Usage(128_000, 1_000), "xai").Total.ShouldBe(0.0522m);
        // one token below: base rates 127999*2e-7 + 1000*5e-7 = 0.0255998 + 0.0005 = 0.0260998
        Price("xai/grok-4-fast-reasoning", Usage(127_999, 1_000), "xai").Total.ShouldBe(0.0260998m);
    }

    [Fact]
    public void Exactly_at_the_threshold_is_still_the_base_tier_for_everyone_else()
    {
        // gemini/gemini-2.5-pro at 200000: 200000*1.25e-6 = 0.25
        Price("gemini/gemini-2.5-pro", Usage(200_000, 0)).Total.ShouldBe(0.25m);
    }

    [Fact]
    public void Unknown_token_counts_give_no_total()
    {
        var price = new ModelResolver(Table).Resolve("gpt-4o")!;
        var cost = CostCalculator.Price(price, new UsageTelemetry { InputTokens = null, OutputTokens = 10 });
        cost.Total.ShouldBeNull();
        cost.Unpriced.ShouldBe("input_tokens or output_tokens is unknown (NULL), so any total would be a guess");
    }
}
