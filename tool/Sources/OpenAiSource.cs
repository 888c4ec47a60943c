using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Http;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `openai`: the Organization Usage API (/v1/organization/usage/completions, grouped by model, project and batch,
/// all pages) → one provider_aggregate row per (bucket, model, project); input_tokens INCLUDES input_cached_tokens
/// and input_cache_write_tokens; no reasoning split. Batch usage gets model_id "&lt;model&gt;#batch", priced at the
/// table's batch rates (NULL where the table has none; the Costs API has the billed truth). The Costs API
/// (/v1/organization/costs, daily, by line item and project) fills billed_cost; it names no model, so usage rows
/// keep their computed cost.
/// </summary>
public sealed class OpenAiSource : ICollectionSource, IDisposable
{
    private readonly OpenAiSourceConfig _config;
    private readonly SourceContext _context;
    private readonly SourceHttp _http;
    private readonly string _base;

    public OpenAiSource(OpenAiSourceConfig config, SourceContext context)
    {
        _config = config;
        _context = context;
        _base = (config.BaseUrl ?? "https://api.openai.com").TrimEnd('/');
        _http = new SourceHttp(context.Http, "the OpenAI admin key (sources.openai.admin_key, OPENAI_ADMIN_KEY)",
            h => h.Authorization = new("Bearer", config.AdminKey), context.HttpHandler);
        Capabilities = new SourceCapabilities
        {
            Granularity = SourceGranularity.Of("openai", config),
            FinalizesLate = true, AuthoritativeWindows = true,
            ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = false, ReportsCost = config.Costs,
        };
    }

    public string Name => "openai";
    public SourceCapabilities Capabilities { get; }

    public async Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var (start, end) = (range.Start.ToUnixTimeSeconds(), range.End.ToUnixTimeSeconds());
        var limit = _config.BucketWidth == "1d" ? 31 : 168;
        var buckets = await Paging.AllDataAsync(_http, page =>
            $"{_base}/v1/organization/usage/completions?start_time={start}&end_time={end}&bucket_width={_config.BucketWidth}" +
            $"&group_by=model&group_by=project_id&group_by=batch&limit={limit}{Page(page)}", ct);
        var rows = new List<TokenUsageRow>();
        var warnings = new List<string>();
        foreach (var bucket in buckets)
        {
            var windowStart = DateTimeOffset.FromUnixTimeSeconds(Json.Count(bucket, "start_time") ?? throw new SourceException("a usage bucket has no start_time"));
            if (!bucket.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array) continue;
            foreach (var result in results.EnumerateArray())
                rows.Add(Row(result, windowStart, warnings));
        }

        var batch = new SourceBatch { Rows = MergeDuplicates(rows), Warnings = warnings };
        if (!_config.Costs) return batch;
        var days = new CollectionRange(WindowGrid.Floor(range.Start, Granularity.Day), WindowGrid.Ceiling(range.End, Granularity.Day));
        var costBuckets = await Paging.AllDataAsync(_http, page =>
            $"{_base}/v1/organization/costs?start_time={days.Start.ToUnixTimeSeconds()}&end_time={days.End.ToUnixTimeSeconds()}" +
            $"&bucket_width=1d&group_by=line_item&group_by=project_id&limit=180{Page(page)}", ct);
        var billed = new List<BilledCostRow>();
        foreach (var bucket in costBuckets)
        {
            var from = DateTimeOffset.FromUnixTimeSeconds(Json.Count(bucket, "start_time") ?? throw new SourceException("a cost bucket has no start_time"));
            var to = Json.Count(bucket, "end_time") is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : from.AddDays(1);
            if (!bucket.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array) continue;
            foreach (var result in results.EnumerateArray())
            {
                var amount = Json.Object(result, "amount");
                if (amount is not { } a || Json.Number(a, "value") is not { } value) continue;
                billed.Add(new BilledCostRow
                {
                    SourceSystem = Name, BucketStart = from, BucketEnd = to,
                    ProjectId = Json.String(result, "project_id"), LineItem = Json.String(result, "line_item"), Model = null,
                    AmountUsd = value, Currency = (Json.String(a, "currency") ?? "usd").ToUpperInvariant(), Raw = result.GetRawText(),
                });
            }
        }
        return batch with { BilledCosts = billed, BilledRange = days };
    }

    private TokenUsageRow Row(JsonElement result, DateTimeOffset windowStart, List<string> warnings)
    {
        try
        {
            var model = Json.String(result, "model") ?? "unknown";
            var isBatch = result.TryGetProperty("batch", out var b) && b.ValueKind == JsonValueKind.True;
            var usage = new UsageTelemetry
            {
                InputTokens = Json.Count(result, "input_tokens"),
                CachedReadTokens = Json.Count(result, "input_cached_tokens"),
                CachedWriteTokens = Json.Count(result, "input_cache_write_tokens"),
                OutputTokens = Json.Count(result, "output_tokens"),
                RequestCount = Json.Count(result, "num_model_requests"),
                Model = model,
                Provider = "openai",
            };
            if (usage.Inconsistency() is { } problem) throw new SourceException($"a usage result for {model} at {windowStart:u} is inconsistent: {problem}");
            var priced = isBatch ? _context.Pricer.PriceBatch(usage, windowStart) : _context.Pricer.Price(usage, aggregate: true, at: windowStart);
            return TokenUsageRow.Of(usage, priced, Name, "openai", model, isBatch ? model + Pricing.UsagePricer.BatchSuffix : model,
                windowStart, Capabilities.Granularity, MeasurementBasis.ProviderAggregate, userId: null, projectId: Json.String(result, "project_id"),
                $$"""{"adapter":"openai","endpoint":"/v1/organization/usage/completions","fetched_at":"{{_context.Clock.GetUtcNow():O}}","result":{{result.GetRawText()}}}""");
        }
        catch (UsageFormatException e)
        {
            throw new SourceException($"a usage result at {windowStart:u} is malformed: {e.Message}");
        }
    }

    /// <summary>Rows that share a key (a model reported with an unknown name twice, say) are summed, never dropped.</summary>
    internal static IReadOnlyList<TokenUsageRow> MergeDuplicates(List<TokenUsageRow> rows) =>
        rows.GroupBy(r => r.Key).Select(g => g.Count() == 1 ? g.First() : g.Aggregate((a, b) => a with
        {
            InputTokens = Sum(a.InputTokens, b.InputTokens), CachedReadTokens = Sum(a.CachedReadTokens, b.CachedReadTokens),
            CachedWriteTokens = Sum(a.CachedWriteTokens, b.CachedWriteTokens), CachedWrite1hTokens = Sum(a.CachedWrite1hTokens, b.CachedWrite1hTokens),
            OutputTokens = Sum(a.OutputTokens, b.OutputTokens), ReasoningTokens = Sum(a.ReasoningTokens, b.ReasoningTokens),
            RequestCount = Sum(a.RequestCount, b.RequestCount),
            CostUsd = a.CostUsd is null || b.CostUsd is null ? null : a.CostUsd + b.CostUsd,
            CacheSavingsUsd = a.CacheSavingsUsd is null || b.CacheSavingsUsd is null ? null : a.CacheSavingsUsd + b.CacheSavingsUsd,
            CostBasis = a.CostUsd is null || b.CostUsd is null ? null : a.CostBasis,
            Pricing = a.Pricing is { } p && b.Pricing is { } q && (p.Snapshot, p.Key, p.Rules) == (q.Snapshot, q.Key, q.Rules)
                ? p with { ListCostUsd = p.ListCostUsd + q.ListCostUsd } : null,
        })).ToList();

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    private static string Page(string? page) => page is null ? "" : "&page=" + Uri.EscapeDataString(page);

    public void Dispose() => _http.Dispose();
}
