using System.Diagnostics;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>Loads the bundled price table (timed, cold and warm) and prices 1,000,000 canonical usages across
/// 12 models with the cost path collection uses (<see cref="UsagePricer"/>): prices/s.</summary>
public static class PricingBenchmark
{
    private static readonly (string Model, string? Provider)[] Models =
    [
        ("claude-sonnet-4-5-20250929", "anthropic"), ("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("o3", "openai"),
        ("gemini-2.5-pro", "google"), ("deepseek-chat", "deepseek"), ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
        ("gpt-5.4", "openai"), ("claude-opus-4-1", "anthropic"), ("xai/grok-4-fast-reasoning", "xai"), ("gpt-5", "openai"), ("claude-haiku-4-5", "anthropic"),
    ];

    public static void Run(int count)
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
        var pricer = new UsagePricer(table);
        decimal total = 0;
        var priced = 0;
        var watch = Stopwatch.StartNew();
        foreach (var usage in usages)
            if (pricer.Price(usage).CostUsd is { } cost) { total += cost; priced++; }
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"priced {priced:N0} of {count:N0} usages in {seconds:F2} s: {count / seconds:N0} prices/s, one thread; total {total:N2} USD");
        if (priced != count) throw new InvalidOperationException("every benchmark model should have a price");
    }
}
