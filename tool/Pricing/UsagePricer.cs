using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// The cost a usage row gets (invariant 13): the provider's reported cost when there is one (provider_reported),
/// else the price table's (computed), else NULL with one warning per model per run — never $0.
/// </summary>
public sealed class UsagePricer(PriceTable table, Action<string>? warn = null)
{
    private readonly ModelResolver _resolver = new(table);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public PriceTable Table => table;
    public ModelResolver Resolver => _resolver;

    public PricedUsage Price(UsageTelemetry usage, string? modelId = null)
    {
        if (usage.ProviderCostUsd is { } reported) return new PricedUsage(Math.Round(reported, 9, MidpointRounding.AwayFromZero), CostBasis.ProviderReported, null);
        var model = modelId ?? usage.Model;
        if (string.IsNullOrWhiteSpace(model))
        {
            Warn("(no model)", "a usage without a model name cannot be priced; its cost stays NULL");
            return new PricedUsage(null, null, null);
        }
        if (_resolver.Resolve(model, usage.Provider) is not { } price)
        {
            Warn(model, $"no price for model '{model}' in {table.Source}; its cost stays NULL (add a pricing.overrides entry to price it)");
            return new PricedUsage(null, null, null);
        }
        var breakdown = CostCalculator.Price(price, usage, usage.Provider);
        if (breakdown.Total is null)
        {
            Warn(model, $"cannot price '{model}' ({breakdown.Unpriced}); its cost stays NULL");
            return new PricedUsage(null, null, breakdown);
        }
        foreach (var fallback in breakdown.Fallbacks) Warn($"{model}|{fallback}", $"pricing '{model}' as {price.Key}: {fallback}");
        return new PricedUsage(breakdown.Total, CostBasis.Computed, breakdown);
    }

    private void Warn(string key, string message)
    {
        lock (_warned)
            if (_warned.Add(key)) warn?.Invoke(message);
    }
}
