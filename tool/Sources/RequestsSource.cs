using TokenTelemetry.Configuration;
using TokenTelemetry.Ingest;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `requests`: JSONL (or SSE, or JSON) files of per-request provider responses or usage objects. It hands the engine an
/// ingest of its folder — the same use case and call identities as `import` — so each cycle counts the calls that are
/// new since the last and re-reading a file adds nothing. Calls stay counted when their files are rotated away.
/// Rejected lines are warnings (a log keeps growing past them); the source still succeeds.
/// </summary>
public sealed class RequestsSource(FileSourceConfig config, SourceContext context) : ICollectionSource
{
    public string Name => "requests";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = SourceGranularity.Of("requests", config), Windowed = false,
        ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct) => Task.FromResult(new SourceBatch
    {
        Ingest = new IngestRequest
        {
            Path = config.Path!, BaseDirectory = context.InstanceDirectory, Format = config.Format, Rows = false,
            SourceSystem = Name, UserId = string.IsNullOrEmpty(context.Config.Identity.UserId) ? null : context.Config.Identity.UserId,
            Granularity = Granularity.Hour, At = config.AtTime, AtHint = $"sources.{Name}.at in config.yaml", TakesOverItsLegacyRows = true,
            LockWait = context.Config.Scheduler.Interval,
        },
    });
}
