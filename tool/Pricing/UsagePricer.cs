using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// The cost a usage row gets (invariant 13): the provider's reported cost when there is one (provider_reported),
/// else the price table's (computed), else NULL with a warning — never $0. Warnings are summarised
/// (<see cref="WarningLog"/>): one per model for the first few models, then counts.
/// </summary>
public sealed class UsagePricer(PriceTable table, Action<string>? warn = null)
{
    private readonly ModelResolver _resolver = new(table);
    private readonly WarningLog _warnings = new(warn);

    public PriceTable Table => table;
    public ModelResolver Resolver => _resolver;
    public WarningLog Warnings => _warnings;

    /// <param name="aggregate">The usage sums many requests: priced at base rates (see <see cref="CostCalculator.Total"/>).</param>
    public PricedUsage Price(UsageTelemetry usage, string? modelId = null, bool aggregate = false)
    {
        if (usage.ProviderCostUsd is { } reported)
            return new PricedUsage(Math.Round(reported, 9, MidpointRounding.AwayFromZero), CostBasis.ProviderReported, null)
            {
                CacheSavingsUsd = Resolve(modelId ?? usage.Model ?? "", usage.Provider) is { } reportedPrice ? CostCalculator.CacheSavings(reportedPrice, usage) : null,
            };
        var model = modelId ?? usage.Model;
        if (string.IsNullOrWhiteSpace(model))
        {
            Warn("(no model)", "a usage without a model name cannot be priced; its cost stays NULL");
            return new PricedUsage(null, null, null);
        }
        if (Resolve(model, usage.Provider) is not { } price)
        {
            Warn(model, $"no price for model '{model}' in {table.Source}; its cost stays NULL (add a pricing.overrides entry to price it)");
            return new PricedUsage(null, null, null);
        }
        var total = CostCalculator.Total(price, usage, usage.Provider, out var fallbacks, out var unpriced, aggregate);
        if (total is null)
        {
            Warn(model, $"cannot price '{model}' ({unpriced}); its cost stays NULL");
            return new PricedUsage(null, null, price.Key);
        }
        if (fallbacks != Fallback.None)
            foreach (var flag in Enum.GetValues<Fallback>())
                if (flag != Fallback.None && fallbacks.HasFlag(flag))
                    Warn($"{model}|{flag}", $"pricing '{model}' as {price.Key}: {CostCalculator.Describe(flag)}");
        return new PricedUsage(total, CostBasis.Computed, price.Key) { CacheSavingsUsd = CostCalculator.CacheSavings(price, usage) };
    }

    /// <summary>The model_id suffix of Batch API usage rows (OpenAI's usage API reports batch=true separately).</summary>
    public const string BatchSuffix = "#batch";

    /// <summary>Batch API usage: the table's batch rates (computed), else NULL with one warning per model — batch
    /// usage is never priced at the interactive rates, which would double its cost.</summary>
    public PricedUsage PriceBatch(UsageTelemetry usage)
    {
        var model = usage.Model ?? "";
        var price = Resolve(model, usage.Provider);
        if (price is null || CostCalculator.BatchTotal(price, usage, out var fallbacks) is not { } total)
        {
            Warn(model + BatchSuffix, $"no batch price for '{model}' in {table.Source}; its batch usage cost stays NULL (the billed cost is in billed_cost)");
            return new PricedUsage(null, null, price?.Key);
        }
        if (fallbacks != Fallback.None) Warn($"{model}{BatchSuffix}|{fallbacks}", $"pricing batch usage of '{model}' as {price.Key}: {CostCalculator.Describe(fallbacks)}");
        return new PricedUsage(total, CostBasis.Computed, price.Key);
    }

    /// <summary>Whether a stored row's model_id (batch suffix included) has a price the pricer would use.</summary>
    public static bool HasPrice(ModelResolver resolver, string modelId, string? provider) =>
        modelId.EndsWith(BatchSuffix, StringComparison.Ordinal)
            ? resolver.Resolve(modelId[..^BatchSuffix.Length], provider) is { BatchInput: not null, BatchOutput: not null }
            : resolver.Resolve(modelId, provider) is not null;

    // Rows come grouped by model, so remembering the last lookup skips most dictionary probes on the hot path.
    private (string Model, string? Provider, ModelPrice? Price) _last;

    private ModelPrice? Resolve(string model, string? provider)
    {
        var last = _last;
        if (ReferenceEquals(last.Model, model) && ReferenceEquals(last.Provider, provider)) return last.Price;
        var price = _resolver.Resolve(model, provider);
        _last = (model, provider, price);
        return price;
    }

    private void Warn(string key, string message) => _warnings.Warn(key, message);
}
