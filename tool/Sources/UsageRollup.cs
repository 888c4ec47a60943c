using System.Text.Json;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// Rolls per-request usages up into window rows per (window, model, user, project), as the requests source and
/// `import` need: each call is priced on its own first (long-context tiers are per request), then summed. A row's
/// cost is NULL when any of its calls could not be priced (a partial sum would understate it); its basis is
/// provider_reported only when every call's cost was. Implements the normalizer's sink, so it streams.
/// </summary>
public sealed class UsageRollup(string sourceSystem, Granularity granularity, UsagePricer pricer, string? userId, string? projectId,
    Func<DateTimeOffset> fallbackTime, string? providerOverride = null) : INormalizedSink
{
    private sealed class Group
    {
        public required UsageTelemetry Usage;
        public decimal? Cost;
        public bool Unpriced;
        public decimal? Savings;
        public bool SavingsUnknown;
        public bool AllReported = true;
        public long Calls;
        public readonly SortedSet<string> Files = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<(DateTimeOffset, string), Group> _groups = new();
    private readonly List<MeterRow> _meters = [];
    private readonly List<string> _rejections = [];

    public string File { get; set; } = "-";
    public long Accepted { get; private set; }
    public IReadOnlyList<string> Rejections => _rejections;

    public void Usage(long line, UsageTelemetry usage)
    {
        Accepted++;
        if (providerOverride is not null) usage = usage with { Provider = providerOverride };
        var model = string.IsNullOrWhiteSpace(usage.Model) ? "unknown" : usage.Model;
        var window = WindowGrid.Floor(usage.ObservedAt ?? fallbackTime(), granularity);
        var priced = pricer.Price(usage);
        if (!_groups.TryGetValue((window, model), out var group))
            _groups[(window, model)] = group = new Group { Usage = usage with { RawUsage = null, Model = model } };
        else group.Usage = group.Usage.Add(usage);
        group.Calls++;
        group.Files.Add(File);
        if (priced.CostUsd is { } cost) group.Cost = (group.Cost ?? 0) + cost;
        else group.Unpriced = true;
        if (priced.CacheSavingsUsd is { } saved) group.Savings = (group.Savings ?? 0) + saved;
        else group.SavingsUnknown = true;
        if (priced.Basis != CostBasis.ProviderReported) group.AllReported = false;
    }

    public void Meter(long line, UsageMeter meter) => _meters.Add(new MeterRow(sourceSystem, userId, meter));

    public void Rejected(long line, string reason) => _rejections.Add($"{File}:{line}: {reason}");

    public IReadOnlyList<MeterRow> Meters => _meters;

    public IReadOnlyList<TokenUsageRow> Rows() => _groups.Select(pair =>
    {
        var (window, model) = pair.Key;
        var g = pair.Value;
        var u = g.Usage;
        var cost = g.Unpriced ? null : g.Cost;
        return new TokenUsageRow
        {
            SourceSystem = sourceSystem,
            Provider = u.Provider ?? "mixed",
            Model = model,
            ModelId = model,
            UserId = userId,
            ProjectId = projectId,
            WindowStart = window,
            WindowEnd = WindowGrid.Next(window, granularity),
            Granularity = granularity,
            MeasurementBasis = MeasurementBasis.Exact,
            InputTokens = u.InputTokens,
            CachedReadTokens = u.CachedReadTokens,
            CachedWriteTokens = u.CachedWriteTokens,
            CachedWrite1hTokens = u.CachedWrite1hTokens,
            OutputTokens = u.OutputTokens,
            ReasoningTokens = u.ReasoningTokens,
            RequestCount = g.Calls,
            CostUsd = cost,
            CostBasis = cost is null ? null : g.AllReported ? CostBasis.ProviderReported : CostBasis.Computed,
            CacheSavingsUsd = g.SavingsUnknown ? null : g.Savings,
            RawUsage = JsonSerializer.Serialize(new
            {
                adapter = "requests",
                calls = g.Calls,
                files = g.Files.ToArray(), // which files' calls the row sums: `import` refuses to silently replace others
                route = u.Route,
                mapper = u.Mapper,
                partially_unknown = u.PartiallyUnknown.Order(StringComparer.Ordinal).ToArray(),
            }),
        };
    }).ToList();
}
