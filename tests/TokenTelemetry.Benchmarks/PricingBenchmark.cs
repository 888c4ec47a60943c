using System.Diagnostics;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>Loads the bundled price table (timed, cold and warm) and prices 1,000,000 canonical usages across
/// 12 models with the cost path collection uses (<see cref="UsagePricer"/>): prices/s. With <c>rules</c> the usages
/// are spread over 60 days and priced with dated overrides (two of them replacing each other) and discounts in force
/// over parts of that time, each at its own time.</summary>
public static class PricingBenchmark
{
    private static readonly (string Model, string? Provider)[] Models =
    [
        ("claude-sonnet-4-5-20250929", "anthropic"), ("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("o3", "openai"),
        ("gemini-2.5-pro", "google"), ("deepseek-chat", "deepseek"), ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
        ("gpt-5.4", "openai"), ("claude-opus-4-1", "anthropic"), ("xai/grok-4-fast-reasoning", "xai"), ("gpt-5", "openai"), ("claude-haiku-4-5", "anthropic"),
    ];

    private static readonly Configuration.PricingConfig Rules = new()
    {
        Overrides = new()
        {
            ["gpt-4o"] = [new() { InputCostPerToken = 0.000002m, To = new DateOnly(2026, 10, 20) }, new() { InputCostPerToken = 0.0000018m, From = new DateOnly(2026, 10, 20) }],
            ["claude-opus-4-1"] = [new() { OutputCostPerToken = 0.00006m, From = new DateOnly(2026, 10, 10), To = new DateOnly(2026, 11, 10) }],
        },
        Discounts =
        [
            new() { Provider = "openai", Percent = 20, From = new DateOnly(2026, 10, 15) },
            new() { Provider = "anthropic", Models = "claude-sonnet-*", Percent = 10, Buckets = ["input", "output"] },
            new() { Provider = "google", Percent = 5, To = new DateOnly(2026, 11, 1) },
        ],
    };

    public static void Run(int count, bool rules = false)
    {
        var cold = Stopwatch.StartNew();
        var table = PriceTableLoader.Bundled();
        var coldMs = cold.Elapsed.TotalMilliseconds;
        var warm = Stopwatch.StartNew();
        table = PriceTableLoader.Bundled();
        Console.WriteLine($"bundled table: {table.Count:N0} priced models; load {coldMs:F0} ms cold (first in process, JIT included), {warm.Elapsed.TotalMilliseconds:F0} ms warm");

        var usages = new UsageTelemetry[count];
        for (var i = 0; i < count; i++)
        {
            var (model, provider) = Models[i % Models.Length];
            long input = 1_000 + i % 300_000, cached = input / 3, write = i % 5 == 0 ? input / 10 : 0, output = 100 + i % 4_000;
            usages[i] = new UsageTelemetry
            {
                Model = model, Provider = provider, InputTokens = input, CachedReadTokens = cached, CachedWriteTokens = write,
                CachedWrite1hTokens = write / 2, OutputTokens = output, ReasoningTokens = output / 4, RequestCount = 1,
            };
        }
        var pricer = rules ? new UsagePricer(PricingRules.FromConfig(table, Rules)) : new UsagePricer(table);
        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        if (rules)
            for (var i = 0; i < count; i++) usages[i] = usages[i] with { ObservedAt = start.AddMinutes(i % 86_400) };
        decimal total = 0;
        var priced = 0;
        var watch = Stopwatch.StartNew();
        foreach (var usage in usages)
            if (pricer.Price(usage).CostUsd is { } cost) { total += cost; priced++; }
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"priced {priced:N0} of {count:N0} usages in {seconds:F2} s: {count / seconds:N0} prices/s, one thread; total {total:N2} USD" +
            (rules ? $" (dated overrides and discounts: {pricer.Rules.Overrides.Count} overrides, {pricer.Rules.Discounts.Count} discounts)" : ""));
        if (priced != count) throw new InvalidOperationException("every benchmark model should have a price");
    }
}
