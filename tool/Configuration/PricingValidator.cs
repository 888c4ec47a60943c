namespace TokenTelemetry.Configuration;

/// <summary>
/// The dated part of the pricing section: overrides and discounts. A date range is [from, to) in UTC days. Two entries
/// that could both apply to the same usage on the same day — two overrides of one model, or two discounts of one
/// provider whose model patterns can match one id and whose buckets meet — are an error naming both, because which
/// one wins would be a guess.
/// </summary>
public static class PricingValidator
{
    /// <summary>Bucket names a discount may name; cache_write means both write buckets.</summary>
    public static readonly IReadOnlyList<string> Buckets = ["input", "cache_read", "cache_write", "cache_write_5m", "cache_write_1h", "output", "reasoning"];

    public static void Validate(PricingConfig pricing, Action<bool, string, string> check)
    {
        foreach (var (model, entries) in pricing.Overrides)
        {
            string At(int i) => entries.Count == 1 ? $"pricing.overrides.{model}" : $"pricing.overrides.{model}[{i}]";
            for (var i = 0; i < entries.Count; i++)
            {
                check(Ordered(entries[i].From, entries[i].To), $"{At(i)}.to", $"{entries[i].To:yyyy-MM-dd} is not after from {entries[i].From:yyyy-MM-dd} (to is exclusive)");
                for (var j = 0; j < i; j++)
                    check(!Overlap(entries[j].From, entries[j].To, entries[i].From, entries[i].To), At(i),
                        $"overlaps {At(j)} ({Span(entries[j].From, entries[j].To)} and {Span(entries[i].From, entries[i].To)}): which rates apply would be a guess; end one where the other starts (to is exclusive)");
            }
        }
        for (var i = 0; i < pricing.Discounts.Count; i++)
        {
            var d = pricing.Discounts[i];
            var at = $"pricing.discounts[{i}]";
            check(!string.IsNullOrWhiteSpace(d.Provider), $"{at}.provider", "required (the provider the contract is with, as rows name it: openai, anthropic, …)");
            check(!string.IsNullOrWhiteSpace(d.Models), $"{at}.models", "a model pattern is required (* for every model)");
            check(d.Percent is > 0 and < 100, $"{at}.percent", $"{d.Percent} is not between 0 and 100 (exclusive): the percent taken off the computed cost");
            foreach (var bucket in d.Buckets)
                check(Buckets.Contains(bucket), $"{at}.buckets", $"'{bucket}' is not a bucket ({string.Join(", ", Buckets)})");
            check(Ordered(d.From, d.To), $"{at}.to", $"{d.To:yyyy-MM-dd} is not after from {d.From:yyyy-MM-dd} (to is exclusive)");
            for (var j = 0; j < i; j++)
            {
                var e = pricing.Discounts[j];
                var clash = string.Equals(d.Provider, e.Provider, StringComparison.OrdinalIgnoreCase) && Overlap(e.From, e.To, d.From, d.To)
                    && ModelGlob.Intersects(e.Models, d.Models) && SharesBucket(e.Buckets, d.Buckets);
                check(!clash, at,
                    $"overlaps pricing.discounts[{j}] ({e.Provider} '{e.Models}' {Span(e.From, e.To)} and '{d.Models}' {Span(d.From, d.To)}, buckets {Describe(e.Buckets)} and {Describe(d.Buckets)}): at most one discount applies to a bucket on a day; end one where the other starts, or split the models or buckets");
            }
        }
    }

    private static bool Ordered(DateOnly? from, DateOnly? to) => from is null || to is null || to > from;

    private static bool Overlap(DateOnly? fromA, DateOnly? toA, DateOnly? fromB, DateOnly? toB) =>
        (toB is null || fromA is null || fromA < toB) && (toA is null || fromB is null || fromB < toA);

    private static bool SharesBucket(List<string> a, List<string> b) =>
        a.Count == 0 || b.Count == 0 || Expand(a).Intersect(Expand(b)).Any();

    private static IEnumerable<string> Expand(List<string> buckets) =>
        buckets.SelectMany(b => b == "cache_write" ? ["cache_write_5m", "cache_write_1h"] : new[] { b });

    private static string Describe(List<string> buckets) => buckets.Count == 0 ? "all" : string.Join("+", buckets);

    internal static string Span(DateOnly? from, DateOnly? to) =>
        $"{(from is { } f ? f.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "always")} → {(to is { } t ? t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "open")}";
}
