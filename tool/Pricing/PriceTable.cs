using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Pricing;

/// <summary>
/// LiteLLM's model_prices_and_context_window.json, parsed: every entry with a per-token rate, keyed by model key.
/// Entries without per-token rates (images, audio by the second, …) and sample_spec are skipped; range-based
/// tiered_pricing lists are not read (only dashscope uses them).
/// </summary>
public sealed partial class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _entries;

    private PriceTable(Dictionary<string, ModelPrice> entries, string source, string sha256)
    {
        _entries = entries;
        Source = source;
        Sha256 = sha256;
    }

    /// <summary>Which table this is, for messages: "bundled snapshot 2026-08-01", "cache (…, fetched …)", …</summary>
    public string Source { get; }
    /// <summary>SHA-256 (hex) of the table's bytes as loaded: which table priced a row, whatever its source was called.</summary>
    public string Sha256 { get; }
    public IEnumerable<ModelPrice> Entries => _entries.Values;
    public int Count => _entries.Count;
    public IEnumerable<string> Keys => _entries.Keys;

    public ModelPrice? Get(string key) => _entries.GetValueOrDefault(key);

    [GeneratedRegex(@"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr|output_cost_per_reasoning_token)_above_(\d+)(k?)_tokens$")]
    private static partial Regex TierKey();

    /// <summary>Entries already parsed (the few a snapshot recorded, possibly none) as a table.</summary>
    public static PriceTable Of(IEnumerable<ModelPrice> entries, string source, string sha256) =>
        new(entries.ToDictionary(e => e.Key, StringComparer.Ordinal), source, sha256);

    public static PriceTable Parse(ReadOnlyMemory<byte> json, string source)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new TelemetryException($"the price table from {source} is not a JSON object of models", "expected LiteLLM's model_prices_and_context_window.json");
        var entries = new Dictionary<string, ModelPrice>(4096, StringComparer.Ordinal);
        foreach (var model in document.RootElement.EnumerateObject())
        {
            if (model.Name == "sample_spec" || model.Value.ValueKind != JsonValueKind.Object) continue;
            var price = ParseEntry(model.Name, model.Value, source);
            if (price is not null) entries[model.Name] = price;
        }
        if (entries.Count == 0) throw new TelemetryException($"the price table from {source} has no per-token rates", "expected LiteLLM's model_prices_and_context_window.json");
        return new PriceTable(entries, source, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json.Span)));
    }

    /// <summary>A copy where the config's per-model rates win over the table's (a rate left out keeps the table's).</summary>
    public PriceTable WithOverrides(IReadOnlyDictionary<string, PriceOverride> overrides, string? source = null)
    {
        if (overrides.Count == 0) return this;
        var entries = new Dictionary<string, ModelPrice>(_entries, StringComparer.Ordinal);
        foreach (var (key, o) in overrides)
        {
            CheckOverride(key, o);
            entries[key] = entries.TryGetValue(key, out var existing)
                ? existing with
                {
                    Base = o.Rates.Over(existing.Base), Overridden = true,
                    BatchInput = o.BatchInput ?? existing.BatchInput, BatchOutput = o.BatchOutput ?? existing.BatchOutput,
                }
                : new ModelPrice { Key = key, Provider = null, Mode = "chat", Base = o.Rates, Overridden = true, BatchInput = o.BatchInput, BatchOutput = o.BatchOutput };
        }
        return new PriceTable(entries, source ?? Source + " with config overrides", Sha256);
    }

    /// <summary>A negative override rate is refused like a negative table rate (it would turn usage into a refund).</summary>
    public static void CheckOverride(string key, PriceOverride o)
    {
        var source = "config (pricing.overrides)";
        NonNegative(o.Rates.Input, key, "input_cost_per_token", source);
        NonNegative(o.Rates.Output, key, "output_cost_per_token", source);
        NonNegative(o.Rates.CacheRead, key, "cache_read_input_token_cost", source);
        NonNegative(o.Rates.CacheWrite, key, "cache_creation_input_token_cost", source);
        NonNegative(o.Rates.CacheWrite1h, key, "cache_creation_input_token_cost_above_1hr", source);
        NonNegative(o.Rates.Reasoning, key, "output_cost_per_reasoning_token", source);
        NonNegative(o.BatchInput, key, "input_cost_per_token_batches", source);
        NonNegative(o.BatchOutput, key, "output_cost_per_token_batches", source);
    }

    private static ModelPrice? ParseEntry(string key, JsonElement entry, string source)
    {
        decimal? Rate(JsonElement e, string name) => NonNegative(PriceTable.Rate(e, name), key, name, source);
        var input = Rate(entry, "input_cost_per_token");
        var output = Rate(entry, "output_cost_per_token");
        if (input is null && output is null) return null;
        var tiers = new Dictionary<long, Rates>();
        foreach (var property in entry.EnumerateObject())
        {
            var match = TierKey().Match(property.Name);
            if (!match.Success || Rate(entry, property.Name) is not { } rate) continue;
            var threshold = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * (match.Groups[3].Value == "k" ? 1000 : 1);
            var tier = tiers.GetValueOrDefault(threshold) ?? new Rates();
            tiers[threshold] = match.Groups[1].Value switch
            {
                "input_cost_per_token" => tier with { Input = rate },
                "output_cost_per_token" => tier with { Output = rate },
                "cache_read_input_token_cost" => tier with { CacheRead = rate },
                "cache_creation_input_token_cost" => tier with { CacheWrite = rate },
                "cache_creation_input_token_cost_above_1hr" => tier with { CacheWrite1h = rate },
                _ => tier with { Reasoning = rate },
            };
        }
        return new ModelPrice
        {
            Key = key,
            Provider = entry.TryGetProperty("litellm_provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
            Mode = entry.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null,
            Base = new Rates
            {
                Input = input,
                Output = output,
                CacheRead = Rate(entry, "cache_read_input_token_cost"),
                CacheWrite = Rate(entry, "cache_creation_input_token_cost"),
                CacheWrite1h = Rate(entry, "cache_creation_input_token_cost_above_1hr"),
                Reasoning = Rate(entry, "output_cost_per_reasoning_token"),
            },
            LegacyCacheHit = Rate(entry, "input_cost_per_token_cache_hit"),
            BatchInput = Rate(entry, "input_cost_per_token_batches"),
            BatchOutput = Rate(entry, "output_cost_per_token_batches"),
            Tiers = tiers.OrderByDescending(t => t.Key).Select(t => new PriceTier(t.Key, t.Value)).ToList(),
        };
    }

    /// <summary>A negative rate would turn usage into a refund: the table is refused whole, naming the entry, rather
    /// than priced wrong or half loaded.</summary>
    private static decimal? NonNegative(decimal? rate, string key, string name, string source) =>
        rate < 0
            ? throw new TelemetryException($"the price table from {source} has a negative rate: {key}.{name} = {rate}", "fix the table or its pricing.overrides entry; rates are USD per token, never below 0")
            : rate;

    /// <summary>A rate as a number or a numeric string ("3e-7", as LiteLLM's own reader accepts); anything else is absent.</summary>
    private static decimal? Rate(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number)
            return value.TryGetDecimal(out var d) ? d
                : decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var e) ? e : null;
        if (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }
}

/// <summary>One pricing.overrides entry: per-token rates and the batch rates.</summary>
public sealed record PriceOverride(Rates Rates, decimal? BatchInput = null, decimal? BatchOutput = null);
