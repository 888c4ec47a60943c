using TokenTelemetry.Configuration;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>`manual`: CSV/JSON aggregate rows from a file or folder (see <see cref="ManualRowReader"/>). A snapshot
/// source: the files are read whole each cycle and, over the span they cover, are the whole truth.</summary>
public sealed class ManualSource(FileSourceConfig config, SourceContext context) : ICollectionSource
{
    public static readonly string[] Extensions = [".csv", ".json", ".jsonl"];

    public string Name => "manual";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = Granularity.Day, Windowed = false, AuthoritativeWindows = true,
        ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var reader = new ManualRowReader(Name, context.Pricer);
        foreach (var file in InputFiles.Find(config.Path!, context.InstanceDirectory, Extensions)) reader.ReadFile(file);
        var foreign = reader.Rows.Where(r => r.SourceSystem != Name).Select(r => r.SourceSystem).Distinct().ToList();
        var warnings = reader.Rejections.ToList();
        if (foreign.Count > 0) warnings.Add($"rows for source_system {string.Join(", ", foreign)} are upserted but never removed by this source");
        return Task.FromResult(new SourceBatch { Rows = reader.Rows, Warnings = warnings });
    }
}
