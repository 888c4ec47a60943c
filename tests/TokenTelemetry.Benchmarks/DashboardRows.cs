using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// A year of an organisation's usage for the dashboards benchmark, generated deterministically day by day: 300 users in
/// 25 projects over 6 sources and 40 models. litellm (gateway: user × project × 4 models each), requests (agent logs of
/// every second user: user × 2 models, no project), openai and anthropic (organisation APIs: project × model, no user),
/// all hourly; copilot (two organisation day rows) and subscriptions (five plans, day rows, no tokens). Each hourly
/// combination is active in an hour with a probability that gives about the asked number of rows, higher on weekday
/// working hours. NULLs where such sources leave them: no cache reads from Mistral or Cohere models, cache writes only
/// from requests and anthropic, reasoning only from reasoning models, no price for Llama and Cohere models. Computed
/// costs carry their price provenance (a third under a discount); <see cref="BilledSql"/> adds a bill per day for the
/// three billing sources.
/// </summary>
public sealed class DashboardRows
{
    private static readonly (string Model, string Provider)[] Models =
    [
        ("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("gpt-4.1", "openai"), ("gpt-4.1-mini", "openai"), ("gpt-4.1-nano", "openai"),
        ("o3", "openai"), ("o3-mini", "openai"), ("o4-mini", "openai"), ("gpt-5", "openai"), ("gpt-5-mini", "openai"), ("gpt-5-nano", "openai"),
        ("text-embedding-3-small", "openai"), ("claude-opus-4-1", "anthropic"), ("claude-sonnet-4-5", "anthropic"), ("claude-haiku-4-5", "anthropic"),
        ("claude-3-7-sonnet", "anthropic"), ("claude-3-5-haiku", "anthropic"), ("claude-opus-4", "anthropic"), ("claude-sonnet-4", "anthropic"),
        ("gemini-2.5-pro", "google"), ("gemini-2.5-flash", "google"), ("gemini-2.5-flash-lite", "google"), ("gemini-2.0-flash", "google"),
        ("gemini-1.5-pro", "google"), ("mistral-large", "mistral"), ("mistral-medium", "mistral"), ("mistral-small", "mistral"), ("codestral", "mistral"),
        ("ministral-8b", "mistral"), ("grok-4", "xai"), ("grok-3", "xai"), ("grok-3-mini", "xai"), ("grok-code-fast", "xai"), ("deepseek-chat", "deepseek"),
        ("deepseek-reasoner", "deepseek"), ("llama-3.3-70b", "meta"), ("llama-4-maverick", "meta"), ("llama-4-scout", "meta"),
        ("command-r-plus", "cohere"), ("command-r", "cohere"),
    ];

    private sealed record Combo(string Source, int Model, string? User, string? Project, MeasurementBasis Basis);

    private readonly List<Combo> _hourly = [];
    private readonly double _probability;

    public DateTimeOffset End { get; }
    public DateTimeOffset Start => End.AddDays(-365);

    public DashboardRows(long rows, DateTimeOffset end)
    {
        End = end;
        for (var u = 1; u <= 300; u++)
            for (var j = 0; j < 4; j++) _hourly.Add(new Combo("litellm", (u * 7 + j * 11) % 40, $"user-{u}", $"project-{u % 25}", MeasurementBasis.Exact));
        for (var u = 2; u <= 300; u += 2)
            for (var j = 0; j < 2; j++) _hourly.Add(new Combo("requests", (u * 3 + j * 5) % 19, $"user-{u}", null, MeasurementBasis.Exact));
        for (var p = 0; p < 25; p++)
        {
            for (var m = 0; m < 6; m++) _hourly.Add(new Combo("openai", m * 2, null, $"project-{p}", MeasurementBasis.ProviderAggregate));
            for (var m = 0; m < 4; m++) _hourly.Add(new Combo("anthropic", 12 + m, null, $"project-{p}", MeasurementBasis.ProviderAggregate));
        }
        var dayRows = 365 * 7;
        // Weekday working hours (07–18 UTC) weigh 1, other hours 0.55: 0.709 on average over a week.
        _probability = Math.Max(0, rows - dayRows) / (365.0 * 24 * _hourly.Count) / (((5 * 12) + (0.55 * ((5 * 12) + (2 * 24)))) / 168);
    }

    /// <summary>The rows of one day (0 = the first), hourly windows and day rows.</summary>
    public List<TokenUsageRow> Day(int day)
    {
        var rows = new List<TokenUsageRow>(4096);
        var midnight = Start.AddDays(day);
        for (var h = 0; h < 24; h++)
        {
            var hour = midnight.AddHours(h);
            var weight = hour.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && hour.Hour is >= 7 and <= 18 ? 1.0 : 0.55;
            for (var c = 0; c < _hourly.Count; c++)
            {
                var r = Mix(((ulong)(uint)(day * 24 + h) << 16) | (uint)c);
                if ((r % 1_000_000) / 1_000_000.0 < _probability * weight) rows.Add(Hourly(_hourly[c], hour, r));
            }
        }
        var d = Mix((ulong)day << 40);
        rows.Add(Daily("copilot", "copilot-ide", "github", midnight, null, null, null));
        rows.Add(Daily("copilot", "copilot-cli", "github", midnight, 400_000 + (long)(d % 300_000), 20_000 + (long)(d % 9_000), null));
        for (var plan = 0; plan < 5; plan++)
            rows.Add(Daily("subscriptions", $"plan-{plan}", plan % 2 == 0 ? "openai" : "anthropic", midnight, null, null, (30m + plan * 10) * 10 / 300m));
        return rows;
    }

    private static TokenUsageRow Hourly(Combo c, DateTimeOffset hour, ulong r)
    {
        var (model, provider) = Models[c.Model];
        long input = 1000 + (long)(r / 7 % 200_000), output = 100 + (long)(r / 13 % 20_000);
        var reasoning = model is "o3" or "o3-mini" or "o4-mini" or "gpt-5" or "gpt-5-mini" or "deepseek-reasoner" || (c.Source == "requests" && provider == "anthropic");
        var cacheWrites = c.Source is "requests" or "anthropic";
        long? cachedRead = provider is "mistral" or "cohere" ? null : input * 3 / 10;
        decimal? cost = provider is "meta" or "cohere" ? null : decimal.Round((input * 2 + output * 8) / 1_000_000m, 9);
        return new TokenUsageRow
        {
            SourceSystem = c.Source, Provider = provider, Model = model, ModelId = model, UserId = c.User, ProjectId = c.Project,
            WindowStart = hour, WindowEnd = hour.AddHours(1), Granularity = Granularity.Hour, MeasurementBasis = c.Basis,
            InputTokens = input, CachedReadTokens = cachedRead, CachedWriteTokens = cacheWrites ? input / 20 : null,
            CachedWrite1hTokens = c.Source == "anthropic" ? (r % 4 == 0 ? input / 40 : 0) : null,
            OutputTokens = output, ReasoningTokens = reasoning ? output / 3 : null, RequestCount = 1 + (long)(r % 50),
            CostUsd = cost, CostBasis = cost is null ? null : c.Source is "openai" or "anthropic" ? CostBasis.ProviderReported : CostBasis.Computed,
            CacheSavingsUsd = cachedRead is { } read && cost is not null ? decimal.Round(read / 1_000_000m, 9) : null,
            RawUsage = $$"""{"adapter": "{{c.Source}}"}""",
            // Computed costs record what priced them; every third gateway row under a 10 % contract discount.
            Pricing = cost is null || c.Source is "openai" or "anthropic" ? null
                : new Pricing.PriceProvenance("bench-snapshot", model, r % 3 == 0 ? "discount * 10%" : null, r % 3 == 0 ? decimal.Round(cost.Value / 0.9m, 9) : cost.Value),
        };
    }

    private static TokenUsageRow Daily(string source, string model, string provider, DateTimeOffset day, long? input, long? output, decimal? cost) => new()
    {
        SourceSystem = source, Provider = provider, Model = model, ModelId = model, WindowStart = day, WindowEnd = day.AddDays(1),
        Granularity = Granularity.Day, MeasurementBasis = source == "subscriptions" ? MeasurementBasis.DerivedEstimate : MeasurementBasis.ProviderAggregate,
        InputTokens = input, OutputTokens = output, RequestCount = input is null ? null : 1_000,
        CostUsd = cost is null ? null : decimal.Round(cost.Value, 9), CostBasis = cost is null ? null : CostBasis.Subscription,
        RawUsage = $$"""{"adapter": "{{source}}"}""",
    };

    /// <summary>A year of bills for openai, anthropic and copilot, one line per day and billing source, as their cost
    /// APIs fill billed_cost (for the "Does it match the bill?" panel).</summary>
    public string BilledSql(string schema) => $"""
        INSERT INTO {schema}.billed_cost (source_system, bucket_start, bucket_end, line_item, amount_usd, currency)
        SELECT s, d, d + interval '1 day', 'tokens', round((100 + 37 * random())::numeric, 9), 'USD'
        FROM unnest(ARRAY['openai', 'anthropic', 'copilot']) AS s,
             generate_series(timestamptz '{Start.UtcDateTime.Date:yyyy-MM-dd}T00:00:00Z', timestamptz '{End.UtcDateTime.Date:yyyy-MM-dd}T00:00:00Z', interval '1 day') AS d
        """;

    /// <summary>SplitMix64: a fast, well-spread hash of (hour, combination).</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
