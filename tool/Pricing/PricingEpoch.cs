using System.Collections.Concurrent;

namespace TokenTelemetry.Pricing;

/// <summary>
/// A span of time over which the same overrides and discounts are in force: the table with those overrides merged,
/// its resolver, and per (model, provider) the entry, discounts and provenance label — memoised, up to
/// <see cref="ModelResolver.MaxMemoised"/> names (the memo starts over when full, as the resolver's does).
/// </summary>
public sealed class PricingEpoch
{
    private readonly IReadOnlyDictionary<string, OverrideRule> _overrides;
    private readonly ConcurrentDictionary<(string, string?), ModelLookup> _lookups = new();
    private readonly Action<string> _used;

    internal PricingEpoch(PriceTable table, DateTimeOffset start, DateTimeOffset end, IReadOnlyList<OverrideRule> overrides,
        IReadOnlyList<DiscountRule> discounts, Action<string> used)
    {
        Start = start;
        End = end;
        _overrides = overrides.ToDictionary(o => o.Key, StringComparer.Ordinal);
        Discounts = discounts;
        _used = used;
        Table = table.WithOverrides(overrides.ToDictionary(o => o.Key, o => o.Rates, StringComparer.Ordinal));
        Resolver = new ModelResolver(Table);
    }

    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public PriceTable Table { get; }
    public ModelResolver Resolver { get; }
    public IReadOnlyList<DiscountRule> Discounts { get; }

    public OverrideRule? OverrideFor(string key) => _overrides.GetValueOrDefault(key);

    /// <param name="model">The model id without the batch suffix.</param>
    public ModelLookup Lookup(string model, string? provider)
    {
        if (_lookups.TryGetValue((model, provider), out var known)) return known;
        if (_lookups.Count >= ModelResolver.MaxMemoised) _lookups.Clear();
        return _lookups.GetOrAdd((model, provider), key => Build(key.Item1, key.Item2));
    }

    private ModelLookup Build(string model, string? provider)
    {
        var price = Resolver.Resolve(model, provider);
        if (price is null) return new ModelLookup(null, BucketDiscounts.None, null);
        _used(price.Key);
        var applying = Discounts.Where(d => d.Applies(provider, price.Provider, model, price.Key)).ToList();
        var discounts = BucketDiscounts.From(applying);
        var labels = new List<string>();
        if (price.Overridden && OverrideFor(price.Key) is { } rule) labels.Add(rule.Label);
        labels.AddRange(applying.Select(d => d.Label));
        return new ModelLookup(price, discounts, labels.Count == 0 ? null : string.Join("; ", labels));
    }
}
