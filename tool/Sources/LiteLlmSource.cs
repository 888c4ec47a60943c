using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Http;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `litellm`: LiteLLM proxy token counters read from Prometheus. One instant query per metric fetches every raw
/// sample of the range (a range selector, plus one window before it as the baseline); exact per-window deltas are
/// computed per series (<see cref="CounterDeltas"/>, reset-aware) and summed across pods, keys and instances per
/// (window, model, user label, project label). LiteLLM's prompt_tokens includes the prompt cache, so input is
/// canonical as is. litellm_cached_tokens_metric is LiteLLM's own response cache and is NOT read. The detail
/// counters (cache read, cache write, reasoning) appear only after their first non-zero increment: where a family has
/// series for the row's provider, a missing series means 0; where it has none, NULL (not reported).
/// </summary>
public sealed class LiteLlmSource : ICollectionSource, IDisposable
{
    /// <summary>(column, metric) — the _total series of LiteLLM's counters.</summary>
    public static readonly (string Column, string Metric)[] Metrics =
    [
        ("input", "litellm_input_tokens_metric_total"),
        ("output", "litellm_output_tokens_metric_total"),
        ("cached_read", "litellm_input_cached_tokens_metric_total"),
        ("cached_write", "litellm_input_cache_creation_tokens_metric_total"),
        ("reasoning", "litellm_output_reasoning_tokens_metric_total"),
        ("requests", "litellm_requests_metric_total"),
    ];

    private readonly LiteLlmSourceConfig _config;
    private readonly SourceContext _context;
    private readonly SourceHttp _http;
    private readonly string _base;

    public LiteLlmSource(LiteLlmSourceConfig config, SourceContext context)
    {
        _config = config;
        _context = context;
        _base = config.BaseUrl!.TrimEnd('/');
        _http = new SourceHttp(context.Http, "the Prometheus credentials (sources.litellm.username/password or bearer_token)", h =>
        {
            if (!string.IsNullOrEmpty(config.BearerToken)) h.Authorization = new AuthenticationHeaderValue("Bearer", config.BearerToken);
            else if (!string.IsNullOrEmpty(config.Username))
                h.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}")));
        }, context.HttpHandler);
        Capabilities = new SourceCapabilities
        {
            Granularity = SourceGranularity.Of("litellm", config),
            AuthoritativeWindows = true, ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = true,
        };
    }

    public string Name => "litellm";
    public SourceCapabilities Capabilities { get; }

    public async Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var warnings = new List<string>();
        var g = Capabilities.Granularity;
        // The baseline margin before the range: at least one window, at least an hour of scrapes.
        var windowLength = WindowGrid.Next(range.Start, g) - range.Start;
        var margin = windowLength > TimeSpan.FromHours(1) ? windowLength : TimeSpan.FromHours(1);
        if (await LowestTimestampAsync(ct) is { } lowest && lowest + margin > range.Start)
        {
            // The first margin after the oldest sample only serves as baseline: a series seen first there may be
            // older than the retention, so its value cannot count as new.
            var kept = WindowGrid.Ceiling(lowest + margin, g);
            warnings.Add($"Prometheus keeps samples only from {lowest:u}: {range.Start:u} to {kept:u} can no longer be collected");
            if (kept >= range.End) return new SourceBatch { Warnings = warnings };
            range = range with { Start = kept };
        }

        var sums = new Dictionary<(DateTimeOffset Window, string Model, string? User, string? Project), Dictionary<string, long>>();
        var present = new HashSet<(string Column, string? Provider)>();
        var seriesKeys = new HashSet<(string Column, string Model, string? User, string? Project)>();
        var providers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, metric) in Metrics)
        {
            foreach (var series in await RangeAsync(metric, range.Start - margin, range.End, ct))
            {
                var model = series.Labels.GetValueOrDefault("model");
                if (string.IsNullOrEmpty(model)) continue;
                var user = Label(series, _config.UserLabel);
                var project = Label(series, _config.ProjectLabel);
                var provider = Label(series, "api_provider");
                if (provider is not null) providers[model] = provider;
                present.Add((column, provider));
                seriesKeys.Add((column, model, user, project));
                foreach (var (window, delta) in CounterDeltas.Of(series, range, t => WindowGrid.Floor(t, g)))
                {
                    var key = (window, model, user, project);
                    if (!sums.TryGetValue(key, out var columns)) sums[key] = columns = new Dictionary<string, long>();
                    columns[column] = columns.GetValueOrDefault(column) + delta;
                }
            }
        }

        var rows = new List<TokenUsageRow>();
        foreach (var ((window, model, user, project), columns) in sums)
        {
            var provider = providers.GetValueOrDefault(model) ?? _context.Pricer.Resolver.Resolve(model)?.Provider ?? "unknown";
            long? Value(string column) =>
                columns.TryGetValue(column, out var v) ? v
                : seriesKeys.Contains((column, model, user, project)) || present.Contains((column, providers.GetValueOrDefault(model))) ? 0
                : null;
            var usage = new UsageTelemetry
            {
                InputTokens = Value("input"), CachedReadTokens = Value("cached_read"), CachedWriteTokens = Value("cached_write"),
                OutputTokens = Value("output"), ReasoningTokens = Value("reasoning"), RequestCount = Value("requests"),
                Model = model, Provider = provider,
            };
            if (usage.Inconsistency() is { } problem)
            {
                // Counters scraped a moment apart can disagree at a window edge; the breakdown is then unknown, not wrong.
                warnings.Add($"{model} at {window:u}: {problem}; its cache and reasoning breakdown is left NULL");
                usage = usage with { CachedReadTokens = null, CachedWriteTokens = null, ReasoningTokens = null };
            }
            var priced = _context.Pricer.Price(usage, aggregate: true, at: window);
            rows.Add(TokenUsageRow.Of(usage, priced, Name, provider, model, model, window, g, MeasurementBasis.Exact, user, project,
                JsonSerializer.Serialize(new { adapter = "litellm", endpoint = "/api/v1/query", deltas = columns })));
        }
        return new SourceBatch { Rows = rows, Warnings = warnings };
    }

    private string? Label(PrometheusSeries series, string name) =>
        series.Labels.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// Every raw sample of a metric in (from, to], in one query — split in halves only when Prometheus refuses to
    /// load that many samples (its --query.max-samples), then stitched back together per series.
    /// </summary>
    private async Task<List<PrometheusSeries>> RangeAsync(string metric, DateTimeOffset from, DateTimeOffset to, CancellationToken ct, int depth = 0)
    {
        var seconds = (long)Math.Ceiling((to - from).TotalSeconds);
        try
        {
            using var document = await QueryAsync($"{metric}{Matchers()}[{seconds}s]", to, ct);
            var series = new List<PrometheusSeries>();
            foreach (var item in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                var samples = item.GetProperty("values").EnumerateArray()
                    .Select(v => (v[0].GetDouble(), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
                series.Add(new PrometheusSeries(labels, samples));
            }
            return series;
        }
        catch (SourceException e) when (e.Message.Contains("too many samples", StringComparison.Ordinal) && depth < 16 && seconds > 60)
        {
            var middle = from + TimeSpan.FromSeconds(seconds / 2);
            var older = await RangeAsync(metric, from, middle, ct, depth + 1);
            var newer = await RangeAsync(metric, middle, to, ct, depth + 1);
            return older.Concat(newer)
                .GroupBy(s => string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))
                .Select(g => new PrometheusSeries(g.First().Labels, g.SelectMany(s => s.Samples).OrderBy(x => x.Time).ToList()))
                .ToList();
        }
    }

    /// <summary>The oldest sample Prometheus still holds (its own prometheus_tsdb_lowest_timestamp_seconds), if it says.</summary>
    /// <remarks>Asked at Prometheus's now: the gauge has samples only since Prometheus last started.</remarks>
    private async Task<DateTimeOffset?> LowestTimestampAsync(CancellationToken ct)
    {
        using var document = await QueryAsync("min(prometheus_tsdb_lowest_timestamp_seconds)", null, ct);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return null;
        var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        return value > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value * 1000)) : null;
    }

    private async Task<JsonDocument> QueryAsync(string query, DateTimeOffset? at, CancellationToken ct)
    {
        var time = at is { } t ? "&time=" + (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) : "";
        var document = await _http.GetJsonAsync($"{_base}/api/v1/query?query={Uri.EscapeDataString(query)}{time}", ct);
        var root = document.RootElement;
        if (root.TryGetProperty("status", out var status) && status.GetString() == "success" && root.TryGetProperty("data", out _)) return document;
        var error = root.TryGetProperty("error", out var e) ? e.GetString() : "no status";
        document.Dispose();
        throw new SourceException($"Prometheus refused the query ({error}) — check sources.litellm.base_url and label_matchers");
    }

    private string Matchers()
    {
        if (_config.LabelMatchers.Count == 0) return "";
        return "{" + string.Join(",", _config.LabelMatchers.Select(m => $"{m.Key}=\"{m.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"")) + "}";
    }

    public void Dispose() => _http.Dispose();
}
