using System.Text.Json;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// The running totals of one row of counted calls, started from what the database holds. Each call is priced on its
/// own (long-context tiers are per request) and added with checked arithmetic: a call that would overflow a column,
/// push the cost past the column's limit or break a CHECK constraint of the row is refused alone — the totals are
/// left as they were — so one hostile line never aborts the rest (DESIGN §4.15). NULL rules as in DESIGN §2: a
/// metric no call reported stays NULL; the cost is NULL once any call could not be priced (a partial sum would
/// understate it); the basis is provider_reported only while every call's cost was.
/// </summary>
public sealed class GroupTotals
{
    private long? _input, _cachedRead, _cachedWrite, _cachedWrite1h, _output, _reasoning;
    private decimal? _cost, _savings;
    private bool _unpriced, _savingsUnknown, _allReported = true;
    private readonly SortedSet<string> _partial = new(StringComparer.Ordinal);
    private string? _provider, _route, _mapper;
    private bool _mixed;
    // What priced the row (V0004): kept while every call was computed from the same snapshot, entry and rules, its list
    // cost summed; unknown for a row continued from the database (the reader does not load provenance) or mixed.
    private PriceProvenance? _provenance;
    private bool _provenanceUnknown;

    public long Calls { get; private set; }

    /// <summary>Totals that continue a stored row of counted calls.</summary>
    public static GroupTotals FromRow(TokenUsageRow row)
    {
        var t = new GroupTotals
        {
            _input = row.InputTokens, _cachedRead = row.CachedReadTokens, _cachedWrite = row.CachedWriteTokens,
            _cachedWrite1h = row.CachedWrite1hTokens, _output = row.OutputTokens, _reasoning = row.ReasoningTokens,
            _cost = row.CostUsd, _savings = row.CacheSavingsUsd, _provider = row.Provider, Calls = row.RequestCount ?? 0,
        };
        t._unpriced = t.Calls > 0 && row.CostUsd is null;
        t._provenanceUnknown = t.Calls > 0;
        t._savingsUnknown = t.Calls > 0 && row.CacheSavingsUsd is null;
        t._allReported = row.CostBasis is null or CostBasis.ProviderReported;
        if (row.RawUsage is { } raw)
        {
            using var json = JsonDocument.Parse(raw);
            var root = json.RootElement;
            t._route = Json.String(root, "route");
            t._mapper = Json.String(root, "mapper");
            if (root.TryGetProperty("partially_unknown", out var partial) && partial.ValueKind == JsonValueKind.Array)
                foreach (var name in partial.EnumerateArray()) t._partial.Add(name.GetString() ?? "");
        }
        return t;
    }

    /// <summary>Adds one priced call; returns why it cannot be added (nothing changed then), or null.</summary>
    public string? TryAdd(UsageTelemetry u, PricedUsage priced)
    {
        var first = Calls == 0;
        List<string>? partial = null;
        long? input, cachedRead, cachedWrite, cachedWrite1h, output, reasoning;
        decimal? cost = _cost, savings = _savings;
        try
        {
            input = Sum(_input, u.InputTokens, "input_tokens", first, ref partial);
            cachedRead = Sum(_cachedRead, u.CachedReadTokens, "cached_read_tokens", first, ref partial);
            cachedWrite = Sum(_cachedWrite, u.CachedWriteTokens, "cached_write_tokens", first, ref partial);
            cachedWrite1h = Sum(_cachedWrite1h, u.CachedWrite1hTokens, "cached_write_1h_tokens", first, ref partial);
            output = Sum(_output, u.OutputTokens, "output_tokens", first, ref partial);
            reasoning = Sum(_reasoning, u.ReasoningTokens, "reasoning_tokens", first, ref partial);
            if (priced.CostUsd is { } c) cost = checked((cost ?? 0) + c);
            if (priced.CacheSavingsUsd is { } s) savings = checked((savings ?? 0) + s);
            if (input is { } i && checked((cachedRead ?? 0) + (cachedWrite ?? 0)) > i)
                return $"the row's cache reads and writes would exceed its input tokens ({cachedRead} + {cachedWrite} > {i}): calls that report cache without input cannot share a row with calls that report input";
        }
        catch (OverflowException)
        {
            return "adding this call would overflow the row's totals (64-bit counts, numeric(18,9) cost); nothing was wrapped";
        }
        if (reasoning > output) return $"the row's reasoning tokens would exceed its output tokens ({reasoning} > {output})";
        if (cachedWrite1h is { } oneHour && (cachedWrite is null || oneHour > cachedWrite))
            return $"the row's 1-hour cache writes would exceed its cache writes ({oneHour} > {cachedWrite?.ToString() ?? "null"})";
        if ((UsageLimits.CostProblem("the row's cost_usd", cost) ?? UsageLimits.CostProblem("the row's cache_savings_usd", savings)) is { } problem)
            return problem;

        (_input, _cachedRead, _cachedWrite, _cachedWrite1h, _output, _reasoning) = (input, cachedRead, cachedWrite, cachedWrite1h, output, reasoning);
        (_cost, _savings) = (cost, savings);
        if (partial is not null) _partial.UnionWith(partial);
        if (u.PartiallyUnknown.Count > 0) _partial.UnionWith(u.PartiallyUnknown);
        if (priced.CostUsd is null) _unpriced = true;
        if (priced.CacheSavingsUsd is null) _savingsUnknown = true;
        if (priced.Basis != CostBasis.ProviderReported) _allReported = false;
        TakeProvenance(priced.Provenance, first);
        if (first && _provider is null) (_provider, _route, _mapper) = (u.Provider, u.Route, u.Mapper);
        else
        {
            if (_provider != u.Provider) _mixed = true;
            if (_route != u.Route) _route = null;
            if (_mapper != u.Mapper) _mapper = null;
        }
        Calls++;
        return null;
    }

    private void TakeProvenance(PriceProvenance? p, bool first)
    {
        if (_provenanceUnknown) return;
        if (p is null) _provenanceUnknown = true;
        else if (first) _provenance = p;
        else if (_provenance is { } q && q.Snapshot == p.Snapshot && q.Key == p.Key && q.Rules == p.Rules)
            _provenance = q with { ListCostUsd = q.ListCostUsd + p.ListCostUsd };
        else _provenanceUnknown = true;
    }

    private static long? Sum(long? total, long? add, string name, bool first, ref List<string>? partial)
    {
        if (first) return add;
        if (total is null && add is null) return null;
        if (total is null || add is null) (partial ??= []).Add(name);
        return checked((total ?? 0) + (add ?? 0));
    }

    public TokenUsageRow ToRow(GroupKey key, Granularity granularity)
    {
        var cost = _unpriced ? null : _cost;
        var provenance = _provenanceUnknown || cost is null ? null : _provenance;
        var usage = new UsageTelemetry
        {
            InputTokens = _input, CachedReadTokens = _cachedRead, CachedWriteTokens = _cachedWrite, CachedWrite1hTokens = _cachedWrite1h,
            OutputTokens = _output, ReasoningTokens = _reasoning, RequestCount = Calls,
        };
        var priced = new PricedUsage(cost, cost is null ? null : _allReported ? CostBasis.ProviderReported : CostBasis.Computed, provenance?.Key)
        {
            CacheSavingsUsd = _savingsUnknown ? null : _savings,
            Snapshot = provenance?.Snapshot, Rules = provenance?.Rules, ListCostUsd = provenance?.ListCostUsd,
        };
        var raw = JsonSerializer.Serialize(new
        {
            adapter = "requests", calls = Calls, route = _route, mapper = _mapper, partially_unknown = _partial.ToArray(),
        });
        var row = TokenUsageRow.Of(usage, priced, key.SourceSystem, _mixed || _provider is null ? "mixed" : _provider, key.ModelId, key.ModelId,
            key.Start, granularity, MeasurementBasis.Exact, key.UserId, key.ProjectId, raw);
        // A group continues a stored row with that row's own window (one written before windows were checked).
        return row.WindowEnd == key.End ? row : row with { WindowEnd = key.End };
    }
}
