using System.Globalization;
using System.Text.Json;
using CsvHelper;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// Aggregate rows written by people or other tools (`manual` source, `import` of CSV/JSON): any column of
/// token_usage by its name (DESIGN §2/§3). A blank cell is NULL. Required: model (or model_id) and window_start;
/// window_end defaults to one granularity (default day) after window_start. source_system defaults to the source's
/// name, measurement_basis to provider_aggregate, provider to "unknown". A cost without cost_basis is
/// provider_reported; no cost but known tokens is computed at base rates. Bad rows are rejected with file:line.
/// </summary>
public sealed class ManualRowReader(string defaultSourceSystem, UsagePricer pricer)
{
    public List<TokenUsageRow> Rows { get; } = [];
    public List<string> Rejections { get; } = [];

    private static readonly HashSet<string> Known =
    [
        "source_system", "provider", "model", "model_id", "project_id", "user_id", "window_start", "window_end", "granularity",
        "measurement_basis", "input_tokens", "cached_read_tokens", "cached_write_tokens", "cached_write_1h_tokens", "output_tokens",
        "reasoning_tokens", "request_count", "cost_usd", "cost_basis", "notes",
    ];

    public void ReadFile(string path)
    {
        if (Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase)) ReadCsv(path);
        else ReadJson(path);
    }

    private void ReadCsv(string path)
    {
        using var text = new StreamReader(path);
        using var csv = CsvReader.Create(text, new CsvReaderOptions { HasHeader = true, TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true }, leaveOpen: false);
        try
        {
            csv.ReadHeader();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Rejections.Add($"{path}:1: no header row of column names ({e.Message})");
            return;
        }
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.Length == 0)
        {
            Rejections.Add($"{path}:1: empty file (expected a header row of column names)");
            return;
        }
        var unknown = header.Where(h => !Known.Contains(h)).ToList();
        if (unknown.Count > 0)
        {
            Rejections.Add($"{path}:1: unknown column(s) {string.Join(", ", unknown)} (known: {string.Join(", ", Known)})");
            return;
        }
        while (csv.Read())
        {
            var values = new Dictionary<string, string?>();
            for (var i = 0; i < header.Length && i < csv.FieldCount; i++) values[header[i]] = csv.GetStringOrNull(i);
            Add(values, $"{path}:{csv.LineNumber}");
        }
    }

    private void ReadJson(string path)
    {
        var text = File.ReadAllText(path).TrimStart();
        var records = new List<(JsonElement, string)>();
        try
        {
            if (text.StartsWith('['))
            {
                using var document = JsonDocument.Parse(text);
                var index = 0;
                foreach (var item in document.RootElement.EnumerateArray()) records.Add((item.Clone(), $"{path}:item {++index}"));
            }
            else
            {
                var lineNumber = 0;
                foreach (var line in text.Split('\n'))
                {
                    lineNumber++;
                    if (line.Trim().Length == 0) continue;
                    using var document = JsonDocument.Parse(line);
                    records.Add((document.RootElement.Clone(), $"{path}:{lineNumber}"));
                }
            }
        }
        catch (JsonException e)
        {
            Rejections.Add($"{path}: not valid JSON ({e.Message.Split(". ")[0]})");
            return;
        }
        foreach (var (record, where) in records)
        {
            if (record.ValueKind != JsonValueKind.Object) { Rejections.Add($"{where}: expected an object of columns"); continue; }
            var unknown = record.EnumerateObject().Select(p => p.Name).Where(n => !Known.Contains(n)).ToList();
            if (unknown.Count > 0) { Rejections.Add($"{where}: unknown column(s) {string.Join(", ", unknown)}"); continue; }
            Add(record.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => p.Value.GetRawText(),
            }), where);
        }
    }

    private readonly Dictionary<(string, string, DateTimeOffset, DateTimeOffset, string?, string?), string> _seen = new();

    private void Add(Dictionary<string, string?> v, string where)
    {
        try
        {
            var row = Parse(v);
            if (_seen.TryGetValue(row.Key, out var first))
                throw new FormatException($"the same source_system, model, window, user and project as {first}; combine them into one row");
            _seen[row.Key] = where;
            Rows.Add(row);
        }
        catch (FormatException e)
        {
            Rejections.Add($"{where}: {e.Message}");
        }
    }

    private TokenUsageRow Parse(Dictionary<string, string?> v)
    {
        string? Text(string name) => v.TryGetValue(name, out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        long? Count(string name)
        {
            if (Text(name) is not { } s) return null;
            if (!long.TryParse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) || n < 0)
                throw new FormatException($"{name} '{s}' is not a whole number ≥ 0");
            return n;
        }
        DateTimeOffset? Time(string name)
        {
            if (Text(name) is not { } s) return null;
            return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t.ToUniversalTime() : throw new FormatException($"{name} '{s}' is not an ISO 8601 time (e.g. 2026-11-20T13:00:00Z)");
        }

        var model = Text("model") ?? Text("model_id") ?? throw new FormatException("model (or model_id) is required");
        var start = Time("window_start") ?? throw new FormatException("window_start is required");
        var end = Time("window_end");
        var granularity = Text("granularity") is { } gl ? Parse(gl, DbLabels.ParseGranularity, "granularity")
            : end is { } e ? Infer(start, e) : Granularity.Day;
        end ??= WindowGrid.Next(start, granularity);
        if (end <= start) throw new FormatException($"window_end {end:u} is not after window_start {start:u}");
        var costText = Text("cost_usd");
        decimal? cost = costText is null ? null
            : decimal.TryParse(costText, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c >= 0 ? c
            : throw new FormatException($"cost_usd '{costText}' is not a number ≥ 0");
        var row = new TokenUsageRow
        {
            SourceSystem = Text("source_system") ?? defaultSourceSystem,
            Provider = Text("provider") ?? "unknown",
            Model = model,
            ModelId = Text("model_id") ?? model,
            ProjectId = Text("project_id"),
            UserId = Text("user_id"),
            WindowStart = start,
            WindowEnd = end.Value,
            Granularity = granularity,
            MeasurementBasis = Text("measurement_basis") is { } mb ? Parse(mb, DbLabels.ParseMeasurementBasis, "measurement_basis") : MeasurementBasis.ProviderAggregate,
            InputTokens = Count("input_tokens"),
            CachedReadTokens = Count("cached_read_tokens"),
            CachedWriteTokens = Count("cached_write_tokens"),
            CachedWrite1hTokens = Count("cached_write_1h_tokens"),
            OutputTokens = Count("output_tokens"),
            ReasoningTokens = Count("reasoning_tokens"),
            RequestCount = Count("request_count"),
            CostUsd = cost,
            CostBasis = cost is null ? null : Text("cost_basis") is { } cb ? Parse(cb, DbLabels.ParseCostBasis, "cost_basis") : CostBasis.ProviderReported,
            RawUsage = JsonSerializer.Serialize(new { adapter = "manual", notes = Text("notes") }),
        };
        var usage = new UsageTelemetry
        {
            InputTokens = row.InputTokens, CachedReadTokens = row.CachedReadTokens, CachedWriteTokens = row.CachedWriteTokens,
            CachedWrite1hTokens = row.CachedWrite1hTokens, OutputTokens = row.OutputTokens, ReasoningTokens = row.ReasoningTokens,
            Model = row.ModelId, Provider = row.Provider == "unknown" ? null : row.Provider,
        };
        if (usage.Inconsistency() is { } problem) throw new FormatException(problem);
        if (row.CostUsd is null && row.InputTokens is not null && row.OutputTokens is not null)
        {
            var priced = pricer.Price(usage, aggregate: true);
            row = row with { CostUsd = priced.CostUsd, CostBasis = priced.Basis, CacheSavingsUsd = priced.CacheSavingsUsd };
        }
        return row;
    }

    private static T Parse<T>(string text, Func<string, T> parse, string name)
    {
        try { return parse(text); }
        catch (FormatException e) { throw new FormatException($"{name}: {e.Message}"); }
    }

    private static Granularity Infer(DateTimeOffset start, DateTimeOffset end) => (end - start) switch
    {
        { TotalMinutes: 15 } => Granularity.FifteenMinutes,
        { TotalHours: 1 } => Granularity.Hour,
        { TotalDays: 1 } => Granularity.Day,
        _ => Granularity.Month,
    };
}
