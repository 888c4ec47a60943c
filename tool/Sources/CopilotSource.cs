using System.Globalization;
using System.Text;
using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Http;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `copilot`: GitHub Copilot usage-metrics reports (the /copilot/usage and old /copilot/metrics endpoints are
/// retired). For each day, the organization (or enterprise) 1-day report answers with signed download_links, fetched
/// WITHOUT the GitHub token (they point at blob storage). Tokens exist only for Copilot CLI
/// (totals_by_cli.token_usage) → one "copilot-cli" row with input/output and requests; IDE and chat usage becomes one
/// row per model with user-initiated interactions as request_count and NULL tokens — never tokens estimated from
/// lines of code. The premium-request billing report fills billed_cost (netAmount) and a monthly usage meter.
/// </summary>
public sealed class CopilotSource : ICollectionSource, IDisposable
{
    private readonly CopilotSourceConfig _config;
    private readonly SourceContext _context;
    private readonly SourceHttp _github;
    private readonly SourceHttp _downloads;
    private readonly string _base;

    public CopilotSource(CopilotSourceConfig config, SourceContext context)
    {
        _config = config;
        _context = context;
        _base = (config.BaseUrl ?? "https://api.github.com").TrimEnd('/');
        _github = new SourceHttp(context.Http, "the GitHub token (sources.copilot.token, GITHUB_TOKEN)", h =>
        {
            h.Authorization = new("Bearer", config.Token);
            h.Accept.ParseAdd("application/vnd.github+json");
            h.Add("X-GitHub-Api-Version", "2022-11-28");
        }, context.HttpHandler);
        _downloads = new SourceHttp(context.Http, "the report's signed download link (it may have expired; rerun)", _ => { }, context.HttpHandler);
        Capabilities = new()
        {
            Granularity = SourceGranularity.Of(Name, config), FinalizesLate = true, AuthoritativeWindows = true,
            ReportsCacheReads = false, ReportsCacheWrites = false, ReportsReasoning = false, ReportsCost = false,
            BackfillDepth = TimeSpan.FromDays(365),
        };
    }

    public string Name => "copilot";

    public SourceCapabilities Capabilities { get; }

    private string Scope => !string.IsNullOrEmpty(_config.Organization) ? $"orgs/{_config.Organization}" : $"enterprises/{_config.Enterprise}";
    private string Report => !string.IsNullOrEmpty(_config.Organization) ? "organization-1-day" : "enterprise-1-day";

    public async Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var rows = new List<TokenUsageRow>();
        for (var day = range.Start; day < range.End; day = day.AddDays(1))
        {
            using var answer = await _github.GetJsonAsync($"{_base}/{Scope}/copilot/metrics/reports/{Report}?day={day:yyyy-MM-dd}", ct);
            if (!answer.RootElement.TryGetProperty("download_links", out var links) || links.ValueKind != JsonValueKind.Array)
                throw new SourceException($"the Copilot report for {day:yyyy-MM-dd} has no download_links — the API changed or the usage-metrics policy is off");
            var records = new List<JsonElement>();
            foreach (var link in links.EnumerateArray().Select(l => l.GetString()).OfType<string>())
                records.AddRange(Records(await _downloads.GetBytesAsync(link, ct)));
            rows.AddRange(DayRows(day, records));
        }
        var (billed, meters, billedRange) = await BillingAsync(range, ct);
        return new SourceBatch { Rows = rows, BilledCosts = billed, BilledRange = billedRange, Meters = meters };
    }

    private IEnumerable<TokenUsageRow> DayRows(DateTimeOffset day, List<JsonElement> records)
    {
        long? prompt = null, output = null, cliRequests = null;
        var interactions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in records.SelectMany(DayTotals))
        {
            if (Json.Object(record, "totals_by_cli") is { } cli)
            {
                if (Json.Object(cli, "token_usage") is { } tokens)
                {
                    prompt = Add(prompt, Json.Count(tokens, "prompt_tokens_sum"));
                    output = Add(output, Json.Count(tokens, "output_tokens_sum"));
                }
                cliRequests = Add(cliRequests, Json.Count(cli, "request_count"));
            }
            if (record.TryGetProperty("totals_by_model_feature", out var byModel) && byModel.ValueKind == JsonValueKind.Array)
                foreach (var entry in byModel.EnumerateArray())
                    if (Json.String(entry, "model") is { } model)
                        interactions[model] = interactions.GetValueOrDefault(model) + (Json.Count(entry, "user_initiated_interaction_count") ?? 0);
        }
        if (prompt is not null || output is not null || cliRequests is not null)
            yield return Row(day, "copilot-cli", prompt, output, cliRequests);
        foreach (var (model, count) in interactions.OrderBy(i => i.Key, StringComparer.Ordinal))
            yield return Row(day, model, null, null, count);
    }

    /// <summary>28-day style reports wrap per-day rows in day_totals[]; 1-day reports are the rows themselves.</summary>
    private static IEnumerable<JsonElement> DayTotals(JsonElement record) =>
        record.TryGetProperty("day_totals", out var days) && days.ValueKind == JsonValueKind.Array ? days.EnumerateArray() : [record];

    /// <summary>A day of Copilot metrics: tokens and requests as reported, no cost (seats are billed, not tokens).</summary>
    private TokenUsageRow Row(DateTimeOffset day, string model, long? input, long? output, long? requests) =>
        TokenUsageRow.Of(new UsageTelemetry { InputTokens = input, OutputTokens = output, RequestCount = requests }, Pricing.PricedUsage.None, Name, "github", model, model,
            day, Granularity.Day, MeasurementBasis.ProviderAggregate, null, null,
            $$"""{"adapter":"copilot","report":"{{Report}}","day":"{{day:yyyy-MM-dd}}","fetched_at":"{{_context.Clock.GetUtcNow():O}}"}""");

    private async Task<(List<BilledCostRow>, List<MeterRow>, CollectionRange?)> BillingAsync(CollectionRange range, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(_config.Organization)) return ([], [], null); // enterprise billing: not read yet
        var billed = new List<BilledCostRow>();
        var meters = new List<MeterRow>();
        var first = new DateTimeOffset(range.Start.Year, range.Start.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var months = new CollectionRange(first, WindowGrid.Ceiling(range.End, Granularity.Month));
        for (var month = months.Start; month < months.End; month = month.AddMonths(1))
        {
            using var report = await _github.GetJsonAsync(
                $"{_base}/organizations/{_config.Organization}/settings/billing/premium_request/usage?year={month.Year}&month={month.Month}", ct);
            if (!report.RootElement.TryGetProperty("usageItems", out var items) || items.ValueKind != JsonValueKind.Array) continue;
            decimal quantity = 0;
            foreach (var item in items.EnumerateArray())
            {
                quantity += Json.Number(item, "netQuantity") ?? 0;
                billed.Add(new BilledCostRow
                {
                    SourceSystem = Name, BucketStart = month, BucketEnd = month.AddMonths(1), ProjectId = null,
                    LineItem = Json.String(item, "sku") ?? Json.String(item, "product"), Model = Json.String(item, "model"),
                    AmountUsd = Json.Number(item, "netAmount") ?? 0, Currency = "USD", Raw = item.GetRawText(),
                });
            }
            meters.Add(new MeterRow(Name, null, new UsageMeter
            {
                Meter = "copilot.premium_requests", Plan = null, ObservedAt = _context.Clock.GetUtcNow(), Used = quantity, Unit = "requests",
                ResetsAt = month.AddMonths(1), Raw = $$"""{"year":{{month.Year}},"month":{{month.Month}}}""",
            }));
        }
        return (billed, meters, months);
    }

    /// <summary>A report file: NDJSON, a JSON array, or one JSON object.</summary>
    private static List<JsonElement> Records(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content).Trim();
        if (text.Length == 0) return [];
        try
        {
            if (text[0] == '[') return JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        }
        catch (JsonException e)
        {
            throw new SourceException($"a Copilot report file is malformed ({e.Message.Split(". ")[0]})");
        }
    }

    private static long? Add(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    public void Dispose()
    {
        _github.Dispose();
        _downloads.Dispose();
    }

    internal static string Day(DateTimeOffset d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
