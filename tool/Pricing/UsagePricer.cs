using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// The cost a usage row gets (invariant 13): the provider's reported cost when there is one (provider_reported),
/// else the price table's with the overrides and discounts in force at the usage's time (computed), else NULL with a
/// warning — never $0. The time is the window's start when the caller gives one, else the call's own time, else now.
/// Warnings are summarised (<see cref="WarningLog"/>): one per model for the first few models, then counts.
/// </summary>
public sealed class UsagePricer(PricingRules rules, Action<string>? warn = null, TimeProvider? clock = null)
{
    private readonly WarningLog _warnings = new(warn);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>A table alone (its overrides merged already): one epoch, no discounts.</summary>
    public UsagePricer(PriceTable table, Action<string>? warn = null) : this(PricingRules.Fixed(table), warn) { }

    public PricingRules Rules => rules;
    /// <summary>The table with the overrides in force now.</summary>
    public PriceTable Table => Now.Table;
    /// <summary>The resolver of the overrides in force now.</summary>
    public ModelResolver Resolver => Now.Resolver;
    public WarningLog Warnings => _warnings;

    private PricingEpoch Now => rules.At(_clock.GetUtcNow());

    /// <summary>Undated rules have one epoch: the clock is not read on the hot path then.</summary>
    private PricingEpoch Epoch(DateTimeOffset? at) => rules.At(at ?? (rules.Dated ? _clock.GetUtcNow() : default));

    /// <param name="aggregate">The usage sums many requests: priced at base rates (see <see cref="CostCalculator.Total"/>).</param>
    /// <param name="at">When the usage happened (a window's start); default: the usage's own time, else now.</param>
    public PricedUsage Price(UsageTelemetry usage, string? modelId = null, bool aggregate = false, DateTimeOffset? at = null)
    {
        var epoch = Epoch(at ?? usage.ObservedAt);
        if (usage.ProviderCostUsd is { } reported)
        {
            var known = Lookup(epoch, modelId ?? usage.Model ?? "", usage.Provider);
            return new PricedUsage(Math.Round(reported, 9, MidpointRounding.AwayFromZero), CostBasis.ProviderReported, null)
            {
                CacheSavingsUsd = known.Price is { } reportedPrice ? CostCalculator.CacheSavings(reportedPrice, usage) : null,
            };
        }
        var model = modelId ?? usage.Model;
        if (string.IsNullOrWhiteSpace(model))
        {
            Warn("(no model)", "a usage without a model name cannot be priced; its cost stays NULL");
            return PricedUsage.None;
        }
        var lookup = Lookup(epoch, model, usage.Provider);
        if (lookup.Price is not { } price)
        {
            Warn(model, $"no price for model '{model}' in {epoch.Table.Source}; its cost stays NULL (add a pricing.overrides entry to price it)");
            return PricedUsage.None;
        }
        var total = CostCalculator.Total(price, usage, usage.Provider, lookup.Discounts, out var list, out var fallbacks, out var unpriced, aggregate);
        if (total is null)
        {
            Warn(model, $"cannot price '{model}' ({unpriced}); its cost stays NULL");
            return new PricedUsage(null, null, price.Key);
        }
        if (fallbacks != Fallback.None)
            foreach (var flag in Enum.GetValues<Fallback>())
                if (flag != Fallback.None && fallbacks.HasFlag(flag))
                    Warn($"{model}|{flag}", $"pricing '{model}' as {price.Key}: {CostCalculator.Describe(flag)}");
        return new PricedUsage(total, CostBasis.Computed, price.Key)
        {
            CacheSavingsUsd = CostCalculator.CacheSavings(price, usage, lookup.Discounts), Snapshot = rules.SnapshotId, Rules = lookup.Rules, ListCostUsd = list,
        };
    }

    /// <summary>The model_id suffix of Batch API usage rows (OpenAI's usage API reports batch=true separately).</summary>
    public const string BatchSuffix = "#batch";

    /// <summary>Batch API usage: the table's batch rates (computed), else NULL with one warning per model — batch
    /// usage is never priced at the interactive rates, which would double its cost.</summary>
    public PricedUsage PriceBatch(UsageTelemetry usage, DateTimeOffset? at = null)
    {
        var model = usage.Model ?? "";
        var epoch = Epoch(at ?? usage.ObservedAt);
        var lookup = Lookup(epoch, model, usage.Provider);
        var price = lookup.Price;
        if (price is null || BatchCost.Total(price, usage, lookup.Discounts, out var list, out var fallbacks) is not { } total)
        {
            Warn(model + BatchSuffix, $"no batch price for '{model}' in {epoch.Table.Source}; its batch usage cost stays NULL (the billed cost is in billed_cost)");
            return new PricedUsage(null, null, price?.Key);
        }
        if (fallbacks != Fallback.None) Warn($"{model}{BatchSuffix}|{fallbacks}", $"pricing batch usage of '{model}' as {price.Key}: {CostCalculator.Describe(fallbacks)}");
        return new PricedUsage(total, CostBasis.Computed, price.Key) { Snapshot = rules.SnapshotId, Rules = lookup.Rules, ListCostUsd = list };
    }

    /// <summary>A stored row's cost again, as its writer would price it: batch rows (model_id ending in #batch) at the
    /// batch rates, others from their token columns.</summary>
    public PricedUsage PriceStored(UsageTelemetry usage, string modelId, bool aggregate, DateTimeOffset windowStart) =>
        modelId.EndsWith(BatchSuffix, StringComparison.Ordinal)
            ? PriceBatch(usage with { Model = modelId[..^BatchSuffix.Length] }, windowStart)
            : Price(usage, modelId, aggregate, windowStart);

    /// <summary>Whether a stored row's model_id (batch suffix included) has a price the pricer would use.</summary>
    public static bool HasPrice(ModelResolver resolver, string modelId, string? provider) =>
        modelId.EndsWith(BatchSuffix, StringComparison.Ordinal)
            ? resolver.Resolve(modelId[..^BatchSuffix.Length], provider) is { BatchInput: not null, BatchOutput: not null }
            : resolver.Resolve(modelId, provider) is not null;

    // Rows come grouped by model, so remembering the last lookup skips most dictionary probes on the hot path.
    private (string Model, string? Provider, PricingEpoch? Epoch, ModelLookup? Lookup) _last;

    private ModelLookup Lookup(PricingEpoch epoch, string model, string? provider)
    {
        var last = _last;
        if (ReferenceEquals(last.Model, model) && ReferenceEquals(last.Provider, provider) && ReferenceEquals(last.Epoch, epoch)) return last.Lookup!;
        var lookup = epoch.Lookup(model, provider);
        _last = (model, provider, epoch, lookup);
        return lookup;
    }

    private void Warn(string key, string message) => _warnings.Warn(key, message);
}
