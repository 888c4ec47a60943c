namespace TokenTelemetry.Configuration;

/// <summary>
/// One pricing.discounts entry: <see cref="Percent"/> off the computed cost of a provider's models matching
/// <see cref="Models"/> (a glob over model ids), optionally only on some buckets, from <see cref="From"/> (inclusive,
/// UTC day) to <see cref="To"/> (exclusive).
/// </summary>
public sealed record DiscountConfig
{
    /// <summary>A label for messages and provenance; default: provider, models and percent.</summary>
    public string? Name { get; init; }
    public string Provider { get; init; } = "";
    /// <summary>Glob over model ids: * any run of characters, ? one character; case-insensitive.</summary>
    public string Models { get; init; } = "*";
    /// <summary>Percent off the computed cost, 0 &lt; percent &lt; 100.</summary>
    public decimal Percent { get; init; }
    /// <summary>Buckets it applies to (input, cache_read, cache_write, cache_write_5m, cache_write_1h, output,
    /// reasoning); empty = every bucket.</summary>
    public List<string> Buckets { get; init; } = [];
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
}
