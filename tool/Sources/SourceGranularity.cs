using TokenTelemetry.Configuration;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// The window granularity each configured source writes — the one place it is decided: the adapters take their
/// capability from here, and freshness thresholds, the watchdog and the rendered watchdog script read it without
/// building a source (so the collector and the watchdog judge a source by the same window).
/// </summary>
public static class SourceGranularity
{
    public static Granularity Of(string name, SourceConfig config) => config switch
    {
        LiteLlmSourceConfig l => l.Window == "15min" ? Granularity.FifteenMinutes : Granularity.Hour,
        OpenAiSourceConfig o => o.BucketWidth == "1d" ? Granularity.Day : Granularity.Hour,
        AnthropicSourceConfig a => a.BucketWidth == "1d" ? Granularity.Day : Granularity.Hour,
        CopilotSourceConfig => Granularity.Day, // the usage report is daily
        SubscriptionsSourceConfig => Granularity.Day, // a plan's price is spread over its days
        FileSourceConfig when name == "manual" => Granularity.Day, // hand-kept aggregate rows, a snapshot each cycle
        FileSourceConfig => Granularity.Hour, // per-request calls rolled up by the hour
        _ => Granularity.Hour,
    };
}
