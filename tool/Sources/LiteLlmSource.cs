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
    private readonly PrometheusClient _prometheus;

    public LiteLlmSource(LiteLlmSourceConfig config, SourceContext context)
    {
        _config = config;
        _context = context;
        _http = new SourceHttp(context.Http, "the Prometheus credentials (sources.litellm.username/password or bearer_token)", h =>
        {
            if (!string.IsNullOrEmpty(config.BearerToken)) h.Authorization = new AuthenticationHeaderValue("Bearer", config.BearerToken);
            else if (!string.IsNullOrEmpty(config.Username))
                h.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}")));
        }, context.HttpHandler);
        _prometheus = new PrometheusClient(_http, config.BaseUrl!.TrimEnd('/'), "sources.litellm.base_url and label_matchers");
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
        if (await _prometheus.LowestTimestampAsync(ct) is { } lowest && lowest + margin > range.Start)
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
            foreach (var series in await _prometheus.RangeAsync(metric + Matchers(), range.Start - margin, range.End, ct))
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

    private static string? Label(PrometheusSeries series, string name) =>
        series.Labels.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private string Matchers()
    {
        if (_config.LabelMatchers.Count == 0) return "";
        return "{" + string.Join(",", _config.LabelMatchers.Select(m => $"{m.Key}=\"{m.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"")) + "}";
    }

    public void Dispose() => _http.Dispose();
}
