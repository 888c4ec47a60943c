using System.Globalization;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Pricing;

/// <summary>
/// A pricing.discounts entry: <see cref="Percent"/> off the computed cost of <see cref="Provider"/>'s models matching
/// <see cref="Models"/>, on <see cref="Buckets"/> (empty = all), while <see cref="Span"/> holds.
/// </summary>
public sealed record DiscountRule(string? Name, string Provider, string Models, decimal Percent, IReadOnlyList<string> Buckets, DateSpan Span)
{
    /// <summary>"discount openai * 20%" or its name, then buckets and dates: how provenance and explanations name it.</summary>
    public string Label =>
        $"discount {Name ?? $"{Provider} {Models}"} {Percent.ToString("0.####", CultureInfo.InvariantCulture)}%" +
        (Buckets.Count == 0 ? "" : " on " + string.Join("+", Buckets)) + Span.Label();

    /// <summary>The usage's provider, else (when the row does not name one) the price entry's LiteLLM provider, must be
    /// the contract's; the pattern may match the model id or the price-table key it resolved to.</summary>
    public bool Applies(string? provider, string? entryProvider, string model, string? key) =>
        string.Equals(string.IsNullOrEmpty(provider) || provider is "unknown" ? entryProvider : provider, Provider, StringComparison.OrdinalIgnoreCase)
        && (ModelGlob.Matches(Models, model) || (key is not null && ModelGlob.Matches(Models, key)));

    public bool Covers(string bucket) =>
        Buckets.Count == 0 || Buckets.Contains(bucket) || (bucket is "cache_write_5m" or "cache_write_1h" && Buckets.Contains("cache_write"));
}
