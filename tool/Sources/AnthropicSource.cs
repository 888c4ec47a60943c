using System.Globalization;
using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Http;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `anthropic`: the Admin API usage report (/v1/organizations/usage_report/messages, grouped by model and workspace,
/// all pages) → provider_aggregate rows whose input = uncached_input_tokens + cache_read_input_tokens +
/// cache_creation (5m + 1h), the canonical INCLUSIVE input; workspace → project_id. The cost report
/// (/v1/organizations/cost_report: amounts are decimal strings in CENTS) fills billed_cost in USD; with daily buckets
/// its per-model token costs become the rows' provider_reported cost, otherwise rows keep a computed cost.
/// </summary>
public sealed class AnthropicSource : ICollectionSource, IDisposable
{
    private readonly AnthropicSourceConfig _config;
    private readonly SourceContext _context;
    private readonly SourceHttp _http;
    private readonly string _base;

    public AnthropicSource(AnthropicSourceConfig config, SourceContext context)
    {
        _config = config;
        _context = context;
        _base = (config.BaseUrl ?? "https://api.anthropic.com").TrimEnd('/');
        _http = new SourceHttp(context.Http, "the Anthropic admin key (sources.anthropic.admin_key, ANTHROPIC_ADMIN_KEY)", h =>
        {
            h.Add("x-api-key", config.AdminKey);
            h.Add("anthropic-version", "2023-06-01");
        }, context.HttpHandler);
        Capabilities = new SourceCapabilities
        {
            Granularity = SourceGranularity.Of("anthropic", config),
            FinalizesLate = true, AuthoritativeWindows = true,
            ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = false, ReportsCost = config.Costs,
        };
    }

    public string Name => "anthropic";
    public SourceCapabilities Capabilities { get; }

    public async Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var limit = _config.BucketWidth == "1d" ? 31 : 168;
        var buckets = await Paging.AllDataAsync(_http, page =>
            $"{_base}/v1/organizations/usage_report/messages?starting_at={Rfc3339(range.Start)}&ending_at={Rfc3339(range.End)}" +
            $"&bucket_width={_config.BucketWidth}&group_by[]=model&group_by[]=workspace_id&limit={limit}{Page(page)}", ct);
        var rows = new List<TokenUsageRow>();
        foreach (var bucket in buckets)
        {
            var start = Time(bucket, "starting_at");
            if (!bucket.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array) continue;
            foreach (var result in results.EnumerateArray()) rows.Add(Row(result, start));
        }
        if (!_config.Costs) return new SourceBatch { Rows = OpenAiSource.MergeDuplicates(rows) };

        var days = new CollectionRange(WindowGrid.Floor(range.Start, Granularity.Day), WindowGrid.Ceiling(range.End, Granularity.Day));
        var costBuckets = await Paging.AllDataAsync(_http, page =>
            $"{_base}/v1/organizations/cost_report?starting_at={Rfc3339(days.Start)}&ending_at={Rfc3339(days.End)}" +
            $"&bucket_width=1d&group_by[]=workspace_id&group_by[]=description&limit=31{Page(page)}", ct);
        var billed = new List<BilledCostRow>();
        var tokenCosts = new List<BilledCostRow>(); // web search and code execution are not token costs of a model row
        foreach (var bucket in costBuckets)
        {
            var from = Time(bucket, "starting_at");
            var to = bucket.TryGetProperty("ending_at", out _) ? Time(bucket, "ending_at") : from.AddDays(1);
            if (!bucket.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array) continue;
            foreach (var result in results.EnumerateArray())
            {
                var cents = Json.Number(result, "amount") ?? throw new SourceException($"a cost result on {from:yyyy-MM-dd} has no amount");
                var line = new BilledCostRow
                {
                    SourceSystem = Name, BucketStart = from, BucketEnd = to,
                    ProjectId = Json.String(result, "workspace_id"),
                    LineItem = Json.String(result, "description") ?? Json.String(result, "token_type") ?? Json.String(result, "cost_type"),
                    Model = Json.String(result, "model"),
                    AmountUsd = cents / 100m, // the report's amounts are cents, as decimal strings
                    Currency = Json.String(result, "currency") ?? "USD",
                    Raw = result.GetRawText(),
                };
                billed.Add(line);
                if (Json.String(result, "cost_type") is null or "tokens") tokenCosts.Add(line);
            }
        }
        var merged = OpenAiSource.MergeDuplicates(rows);
        if (Capabilities.Granularity == Granularity.Day) merged = Attribute(merged, tokenCosts);
        return new SourceBatch { Rows = merged, BilledCosts = billed, BilledRange = days };
    }

    /// <summary>Daily rows take the report's token costs for the same (day, model, workspace) as provider_reported.</summary>
    private static List<TokenUsageRow> Attribute(IReadOnlyList<TokenUsageRow> rows, List<BilledCostRow> billed)
    {
        var costs = billed.Where(b => b.Model is not null)
            .GroupBy(b => (b.BucketStart, b.Model!, b.ProjectId))
            .ToDictionary(g => g.Key, g => g.Sum(b => b.AmountUsd));
        return rows.Select(r => costs.TryGetValue((r.WindowStart, r.Model, r.ProjectId), out var usd)
            ? r with { CostUsd = usd, CostBasis = CostBasis.ProviderReported }
            : r).ToList();
    }

    private TokenUsageRow Row(JsonElement result, DateTimeOffset start)
    {
        try
        {
            var model = Json.String(result, "model") ?? "unknown";
            var uncached = Json.Count(result, "uncached_input_tokens");
            var read = Json.Count(result, "cache_read_input_tokens");
            var creation = Json.Object(result, "cache_creation");
            long? fiveMinutes = creation is { } c5 ? Json.Count(c5, "ephemeral_5m_input_tokens") : null;
            long? oneHour = creation is { } c1 ? Json.Count(c1, "ephemeral_1h_input_tokens") : null;
            long? writes = creation is null ? null : (fiveMinutes ?? 0) + (oneHour ?? 0);
            var usage = new UsageTelemetry
            {
                InputTokens = uncached is null ? null : uncached + (read ?? 0) + (writes ?? 0),
                CachedReadTokens = read, CachedWriteTokens = writes, CachedWrite1hTokens = oneHour,
                OutputTokens = Json.Count(result, "output_tokens"), Model = model, Provider = "anthropic",
            };
            var priced = _context.Pricer.Price(usage, aggregate: true, at: start);
            return TokenUsageRow.Of(usage, priced, Name, "anthropic", model, model, start, Capabilities.Granularity, MeasurementBasis.ProviderAggregate,
                userId: null, projectId: Json.String(result, "workspace_id"),
                $$"""{"adapter":"anthropic","endpoint":"/v1/organizations/usage_report/messages","fetched_at":"{{_context.Clock.GetUtcNow():O}}","result":{{result.GetRawText()}}}""");
        }
        catch (UsageFormatException e)
        {
            throw new SourceException($"a usage result at {start:u} is malformed: {e.Message}");
        }
    }

    private static DateTimeOffset Time(JsonElement bucket, string name) =>
        Json.Timestamp(bucket, name) ?? throw new SourceException($"a bucket has no valid {name}");

    private static string Rfc3339(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private static string Page(string? page) => page is null ? "" : "&page=" + Uri.EscapeDataString(page);

    public void Dispose() => _http.Dispose();
}
