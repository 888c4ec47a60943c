using System.Text;
using System.Text.Json;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Overrides and discounts as canonical JSON (sorted, numbers without trailing zeros, dates as yyyy-MM-dd): the same
/// rules always give the same text, hence the same snapshot id, and the stored text reads back into the same rules
/// (`pricing explain` prices a row with the rules that priced it).
/// </summary>
public static class PricingRulesJson
{
    public static string Write(IEnumerable<OverrideRule> overrides, IEnumerable<DiscountRule> discounts)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("overrides");
            foreach (var o in overrides.OrderBy(o => o.Key, StringComparer.Ordinal).ThenBy(o => o.Span.From))
            {
                w.WriteStartObject();
                w.WriteString("key", o.Key);
                Number(w, "input_cost_per_token", o.Rates.Rates.Input);
                Number(w, "output_cost_per_token", o.Rates.Rates.Output);
                Number(w, "cache_read_input_token_cost", o.Rates.Rates.CacheRead);
                Number(w, "cache_creation_input_token_cost", o.Rates.Rates.CacheWrite);
                Number(w, "cache_creation_input_token_cost_above_1hr", o.Rates.Rates.CacheWrite1h);
                Number(w, "output_cost_per_reasoning_token", o.Rates.Rates.Reasoning);
                Number(w, "input_cost_per_token_batches", o.Rates.BatchInput);
                Number(w, "output_cost_per_token_batches", o.Rates.BatchOutput);
                Span(w, o.Span);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("discounts");
            foreach (var d in discounts.OrderBy(d => d.Provider, StringComparer.Ordinal).ThenBy(d => d.Models, StringComparer.Ordinal)
                         .ThenBy(d => d.Span.From).ThenBy(d => string.Join("+", d.Buckets), StringComparer.Ordinal))
            {
                w.WriteStartObject();
                if (d.Name is not null) w.WriteString("name", d.Name);
                w.WriteString("provider", d.Provider);
                w.WriteString("models", d.Models);
                w.WriteNumber("percent", CostCalculator.Trim(d.Percent));
                w.WriteStartArray("buckets");
                foreach (var b in d.Buckets) w.WriteStringValue(b);
                w.WriteEndArray();
                Span(w, d.Span);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static (IReadOnlyList<OverrideRule> Overrides, IReadOnlyList<DiscountRule> Discounts) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var overrides = root.GetProperty("overrides").EnumerateArray().Select(o => new OverrideRule(o.GetProperty("key").GetString()!,
            new PriceOverride(new Rates
            {
                Input = Number(o, "input_cost_per_token"), Output = Number(o, "output_cost_per_token"),
                CacheRead = Number(o, "cache_read_input_token_cost"), CacheWrite = Number(o, "cache_creation_input_token_cost"),
                CacheWrite1h = Number(o, "cache_creation_input_token_cost_above_1hr"), Reasoning = Number(o, "output_cost_per_reasoning_token"),
            }, Number(o, "input_cost_per_token_batches"), Number(o, "output_cost_per_token_batches")), Span(o))).ToList();
        var discounts = root.GetProperty("discounts").EnumerateArray().Select(d => new DiscountRule(
            d.TryGetProperty("name", out var n) ? n.GetString() : null, d.GetProperty("provider").GetString()!, d.GetProperty("models").GetString()!,
            d.GetProperty("percent").GetDecimal(), d.GetProperty("buckets").EnumerateArray().Select(b => b.GetString()!).ToList(), Span(d))).ToList();
        return (overrides, discounts);
    }

    private static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v) w.WriteNumber(name, CostCalculator.Trim(v));
    }

    private static decimal? Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetDecimal() : null;

    private static void Span(Utf8JsonWriter w, DateSpan span)
    {
        if (span.From is { } f) w.WriteString("from", DateSpan.Day(f));
        if (span.To is { } t) w.WriteString("to", DateSpan.Day(t));
    }

    private static DateSpan Span(JsonElement e) => new(
        e.TryGetProperty("from", out var f) ? DateOnly.Parse(f.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null,
        e.TryGetProperty("to", out var t) ? DateOnly.Parse(t.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null);
}
