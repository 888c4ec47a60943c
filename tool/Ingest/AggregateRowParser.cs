using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// One aggregate row from its columns. A blank cell is NULL. Required: model (or model_id) and window_start, a date
/// and time in ISO 8601. The window is one granularity on its UTC grid: granularity given, or read from window_end
/// (15 minutes, an hour, a day or a calendar month), else a day; a window off the grid or of another length is
/// refused. source_system defaults to the door's name, user_id and project_id to the door's (`import --user-id`),
/// measurement_basis to provider_aggregate, provider to "unknown". A cost without cost_basis is provider_reported; no cost but known tokens is computed at base rates.
/// Everything the database would refuse (UsageLimits, CallTimes, CHECK constraints) is refused here, row by row.
/// </summary>
public sealed partial class AggregateRowParser(string defaultSourceSystem, UsagePricer pricer, DateTimeOffset now,
    string? defaultUserId = null, string? defaultProjectId = null)
{
    private static readonly HashSet<string> Known =
    [
        "source_system", "provider", "model", "model_id", "project_id", "user_id", "window_start", "window_end", "granularity",
        "measurement_basis", "input_tokens", "cached_read_tokens", "cached_write_tokens", "cached_write_1h_tokens", "output_tokens",
        "reasoning_tokens", "request_count", "cost_usd", "cost_basis", "notes",
    ];

    public static string? UnknownColumns(IEnumerable<string> names)
    {
        var unknown = names.Where(n => !Known.Contains(n)).ToList();
        return unknown.Count == 0 ? null : $"unknown column(s) {string.Join(", ", unknown)} (known: {string.Join(", ", Known)})";
    }

    /// <param name="file">The file the record came from, kept in raw_usage.file: a snapshot source deletes only rows its
    /// files produced and no longer do (provenance, never identity).</param>
    /// <returns>The row, and the source_system the record itself named (null when it took the default).</returns>
    public (TokenUsageRow Row, string? WrittenSourceSystem) Parse(IReadOnlyDictionary<string, string?> v, string? file = null)
    {
        string? Text(string name)
        {
            if (!v.TryGetValue(name, out var s) || string.IsNullOrWhiteSpace(s)) return null;
            s = s.Trim();
            return UsageLimits.LabelProblem(name, s) is { } problem && name != "notes" ? throw new FormatException(problem) : s;
        }
        long? Count(string name)
        {
            if (Text(name) is not { } s) return null;
            if (!long.TryParse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) || n < 0)
                throw new FormatException($"{name} '{s}' is not a whole number ≥ 0");
            return UsageLimits.CountProblem(name, n) is { } problem ? throw new FormatException(problem) : n;
        }
        DateTimeOffset? Time(string name)
        {
            if (Text(name) is not { } s) return null;
            if (!IsoDate().IsMatch(s) || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                throw new FormatException($"{name} '{s}' is not an ISO 8601 date and time (e.g. 2026-11-20T13:00:00Z)");
            t = t.ToUniversalTime();
            return CallTimes.Problem(t, now) is { } problem ? throw new FormatException($"{name}: {problem}") : t;
        }

        var model = Text("model") ?? Text("model_id") ?? throw new FormatException("model (or model_id) is required");
        var start = Time("window_start") ?? throw new FormatException("window_start is required");
        var end = Time("window_end");
        var granularity = Text("granularity") is { } gl ? Enum(gl, DbLabels.ParseGranularity, "granularity")
            : end is { } e ? Infer(start, e) : Granularity.Day;
        if (!WindowGrid.IsAligned(start, granularity))
            throw new FormatException($"window_start {start:u} is not on the {granularity.Label()} grid (UTC; e.g. {WindowGrid.Floor(start, granularity):u})");
        var expectedEnd = WindowGrid.Next(start, granularity);
        if (end is { } givenEnd && givenEnd != expectedEnd)
            throw new FormatException($"window_end {givenEnd:u} is not one {granularity.Label()} after window_start ({expectedEnd:u})");
        var costText = Text("cost_usd");
        decimal? cost = costText is null ? null
            : decimal.TryParse(costText, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c >= 0 ? c
            : throw new FormatException($"cost_usd '{costText}' is not a number ≥ 0");
        if (UsageLimits.CostProblem("cost_usd", cost) is { } costProblem) throw new FormatException(costProblem);
        // Read in the order of the columns' checks (the first problem of a row is the one reported).
        var written = Text("source_system");
        var provider = Text("provider") ?? "unknown";
        var modelId = Text("model_id") ?? model;
        var projectId = Text("project_id") ?? defaultProjectId;
        var userId = Text("user_id") ?? defaultUserId;
        var basis = Text("measurement_basis") is { } mb ? Enum(mb, DbLabels.ParseMeasurementBasis, "measurement_basis") : MeasurementBasis.ProviderAggregate;
        var usage = new UsageTelemetry
        {
            InputTokens = Count("input_tokens"), CachedReadTokens = Count("cached_read_tokens"), CachedWriteTokens = Count("cached_write_tokens"),
            CachedWrite1hTokens = Count("cached_write_1h_tokens"), OutputTokens = Count("output_tokens"), ReasoningTokens = Count("reasoning_tokens"),
            Model = modelId, Provider = provider == "unknown" ? null : provider,
        };
        var requests = Count("request_count");
        var given = cost is null ? (decimal?)null : Math.Round(cost.Value, 9, MidpointRounding.AwayFromZero);
        var priced = new PricedUsage(given, given is null ? null : Text("cost_basis") is { } cb ? Enum(cb, DbLabels.ParseCostBasis, "cost_basis") : CostBasis.ProviderReported, null);
        var raw = JsonSerializer.Serialize(new { adapter = "manual", notes = v.GetValueOrDefault("notes")?.Trim(), file });
        if (usage.Inconsistency() is { } problem) throw new FormatException(problem);
        if (given is null && usage.InputTokens is not null && usage.OutputTokens is not null)
        {
            priced = pricer.Price(usage, aggregate: true, at: start);
            if ((UsageLimits.CostProblem("the computed cost_usd", priced.CostUsd) ?? UsageLimits.CostProblem("cache_savings_usd", priced.CacheSavingsUsd)) is { } computedProblem)
                throw new FormatException(computedProblem);
        }
        var row = TokenUsageRow.Of(usage with { RequestCount = requests }, priced, written ?? defaultSourceSystem, provider, model, modelId,
            start, granularity, basis, userId, projectId, raw);
        return (row, written);
    }

    private static T Enum<T>(string text, Func<string, T> parse, string name)
    {
        try { return parse(text); }
        catch (FormatException e) { throw new FormatException($"{name}: {e.Message}"); }
    }

    private static Granularity Infer(DateTimeOffset start, DateTimeOffset end) => (end - start) switch
    {
        { TotalMinutes: 15 } => Granularity.FifteenMinutes,
        { TotalHours: 1 } => Granularity.Hour,
        { TotalDays: 1 } => Granularity.Day,
        _ when end == start.AddMonths(1) => Granularity.Month,
        var span => throw new FormatException($"window_end - window_start is {span}: a window is 15 minutes, an hour, a day or a calendar month"),
    };

    /// <summary>A time must carry its date: "13:00" alone would silently mean today.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();
}
