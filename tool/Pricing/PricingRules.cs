using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Everything that prices usage: the table as loaded, the dated overrides and the discounts. Their dates cut time into
/// epochs; a usage is priced by the epoch holding its time (a window's start), with the table's entry, the overrides
/// then in force merged over it, and the discounts then in force taken off the result (docs/pricing.md). The
/// <see cref="SnapshotId"/> names this exact combination — table bytes and rules — for each row's provenance.
/// </summary>
public sealed class PricingRules
{
    private readonly DateTimeOffset[] _edges;
    private readonly PricingEpoch?[] _epochs;
    private readonly ConcurrentDictionary<string, byte> _used = new(StringComparer.Ordinal);

    public PricingRules(PriceTable table, IReadOnlyList<OverrideRule> overrides, IReadOnlyList<DiscountRule> discounts)
    {
        foreach (var o in overrides) PriceTable.CheckOverride(o.Key, o.Rates);
        Table = table;
        Overrides = overrides;
        Discounts = discounts;
        _edges = overrides.SelectMany(o => o.Span.Edges()).Concat(discounts.SelectMany(d => d.Span.Edges())).Distinct().Order().ToArray();
        _epochs = new PricingEpoch?[_edges.Length + 1];
        RulesJson = PricingRulesJson.Write(overrides, discounts);
        SnapshotId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{table.Sha256}\n{RulesJson}")))[..16];
    }

    /// <summary>A table alone, or one whose overrides are merged already: one epoch, no discounts.</summary>
    public static PricingRules Fixed(PriceTable table) => new(table, [], []);

    public static PricingRules FromConfig(PriceTable table, PricingConfig config) => new(table,
        config.Overrides.SelectMany(o => o.Value.Select(v => new OverrideRule(o.Key, new PriceOverride(new Rates
        {
            Input = v.InputCostPerToken, Output = v.OutputCostPerToken, CacheRead = v.CacheReadInputTokenCost,
            CacheWrite = v.CacheCreationInputTokenCost, CacheWrite1h = v.CacheCreationInputTokenCostAbove1hr, Reasoning = v.OutputCostPerReasoningToken,
        }, v.InputCostPerTokenBatches, v.OutputCostPerTokenBatches), new DateSpan(v.From, v.To)))).ToList(),
        DiscountsOf(config));

    /// <summary>The config's discounts (which need no table: `reconcile` names them).</summary>
    public static IReadOnlyList<DiscountRule> DiscountsOf(PricingConfig config) =>
        config.Discounts.Select(d => new DiscountRule(string.IsNullOrWhiteSpace(d.Name) ? null : d.Name.Trim(), d.Provider.Trim(),
            string.IsNullOrWhiteSpace(d.Models) ? "*" : d.Models.Trim(), d.Percent, d.Buckets, new DateSpan(d.From, d.To))).ToList();

    /// <summary>The table as loaded, without overrides.</summary>
    public PriceTable Table { get; }
    public IReadOnlyList<OverrideRule> Overrides { get; }
    public IReadOnlyList<DiscountRule> Discounts { get; }
    /// <summary>The rules in their canonical JSON (stored with the snapshot, so a row's cost can be explained later).</summary>
    public string RulesJson { get; }
    /// <summary>16 hex digits of SHA-256 over the table's hash and <see cref="RulesJson"/>.</summary>
    public string SnapshotId { get; }
    public bool Dated => _edges.Length > 0;

    /// <summary>The overrides and discounts in force at <paramref name="at"/>.</summary>
    public PricingEpoch At(DateTimeOffset at)
    {
        var i = Array.BinarySearch(_edges, at);
        i = i >= 0 ? i + 1 : ~i; // an edge belongs to the epoch it starts
        return Volatile.Read(ref _epochs[i]) ?? Build(i);
    }

    /// <summary>Table entries (as loaded, before overrides) that priced something: what a snapshot records.</summary>
    public IEnumerable<ModelPrice> UsedEntries => _used.Keys.Select(Table.Get).OfType<ModelPrice>();

    private PricingEpoch Build(int i)
    {
        var start = i == 0 ? DateTimeOffset.MinValue : _edges[i - 1];
        var end = i == _edges.Length ? DateTimeOffset.MaxValue : _edges[i];
        var epoch = new PricingEpoch(Table, start, end, Overrides.Where(o => o.Span.Contains(start)).ToList(),
            Discounts.Where(d => d.Span.Contains(start)).ToList(), key => _used.TryAdd(key, 0));
        return Interlocked.CompareExchange(ref _epochs[i], epoch, null) ?? epoch;
    }
}
