using System.Text;
using System.Text.Json;

namespace TokenTelemetry.Pricing;

/// <summary>
/// A price-table entry written back in LiteLLM's own field names (tiers as *_above_N_tokens), so that the entries a
/// snapshot recorded parse again into the same <see cref="ModelPrice"/> with <see cref="PriceTable.Parse"/>.
/// </summary>
public static class PriceEntryJson
{
    public static string Write(ModelPrice price)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (price.Provider is not null) w.WriteString("litellm_provider", price.Provider);
            if (price.Mode is not null) w.WriteString("mode", price.Mode);
            Rates(w, price.Base, "");
            foreach (var tier in price.Tiers) Rates(w, tier.Rates, $"_above_{tier.AboveTokens}_tokens");
            Number(w, "input_cost_per_token_cache_hit", price.LegacyCacheHit);
            Number(w, "input_cost_per_token_batches", price.BatchInput);
            Number(w, "output_cost_per_token_batches", price.BatchOutput);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Stored entries (key → entry JSON) as a table again, under the hash of the table they came from.</summary>
    public static PriceTable Table(IReadOnlyList<(string Key, string Entry)> entries, string source, string sha256)
    {
        if (entries.Count == 0) return PriceTable.Of([], source, sha256);
        var json = new StringBuilder("{");
        foreach (var (key, entry) in entries)
            json.Append(json.Length > 1 ? "," : "").Append(JsonSerializer.Serialize(key)).Append(':').Append(entry);
        return PriceTable.Of(PriceTable.Parse(Encoding.UTF8.GetBytes(json.Append('}').ToString()), source).Entries, source, sha256);
    }

    private static void Rates(Utf8JsonWriter w, Rates r, string suffix)
    {
        Number(w, "input_cost_per_token" + suffix, r.Input);
        Number(w, "output_cost_per_token" + suffix, r.Output);
        Number(w, "cache_read_input_token_cost" + suffix, r.CacheRead);
        Number(w, "cache_creation_input_token_cost" + suffix, r.CacheWrite);
        Number(w, "cache_creation_input_token_cost_above_1hr" + suffix, r.CacheWrite1h);
        Number(w, "output_cost_per_reasoning_token" + suffix, r.Reasoning);
    }

    private static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
    }
}
