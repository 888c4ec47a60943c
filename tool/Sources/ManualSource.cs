using TokenTelemetry.Configuration;
using TokenTelemetry.Ingest;

namespace TokenTelemetry.Sources;

/// <summary>`manual`: CSV/JSON aggregate rows from a file or folder, ingested as `import` ingests rows. A snapshot: the
/// files are read whole each cycle and, over the span they cover, are the whole truth — rows they no longer produce
/// are deleted, but only when every line parsed. A line that fails fails the source (the rows of the good lines are
/// written; nothing is deleted), so a typo never silently removes a stored row.</summary>
public sealed class ManualSource(FileSourceConfig config, SourceContext context) : ICollectionSource
{
    public string Name => "manual";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = SourceGranularity.Of("manual", config), Windowed = false, AuthoritativeWindows = true,
        ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct) => Task.FromResult(new SourceBatch
    {
        Ingest = new IngestRequest
        {
            Path = config.Path!, BaseDirectory = context.InstanceDirectory, Rows = true, SourceSystem = Name,
            Snapshot = true, FailOnRejection = true, LockWait = context.Config.Scheduler.Interval,
        },
    });
}
