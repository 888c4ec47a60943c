using TokenTelemetry.Configuration;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// `requests`: JSONL (or SSE, or JSON) files of per-request provider responses or usage objects, normalized by the
/// Usage mappers, priced per call, rolled up to hour rows per model. A snapshot source: each cycle reads all its
/// files, and over the span they cover they are the whole truth. Bad lines are skipped and reported with file:line.
/// </summary>
public sealed class RequestsSource(FileSourceConfig config, SourceContext context) : ICollectionSource
{
    public static readonly string[] Extensions = [".jsonl", ".ndjson", ".json", ".sse", ".log"];

    public string Name => "requests";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = Granularity.Hour, Windowed = false, AuthoritativeWindows = true,
        ReportsCacheReads = true, ReportsCacheWrites = true, ReportsReasoning = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var files = InputFiles.Find(config.Path!, context.InstanceDirectory, Extensions);
        var rollup = Import(files, Name, Granularity.Hour, config.Format, context.Config.Identity.UserId, null, context, ct);
        var warnings = rollup.Rejections.Take(20).ToList();
        if (rollup.Rejections.Count > 20) warnings.Add($"… and {rollup.Rejections.Count - 20} more rejected lines");
        return Task.FromResult(new SourceBatch { Rows = rollup.Rows(), Meters = rollup.Meters, Warnings = warnings });
    }

    /// <summary>Normalizes and rolls up files (the shared path of this source and the `import` command).</summary>
    public static UsageRollup Import(IReadOnlyList<string> files, string sourceSystem, Granularity granularity, string format,
        string? userId, string? projectId, SourceContext context, CancellationToken ct, string? provider = null)
    {
        DateTimeOffset fileTime = context.Clock.GetUtcNow();
        var rollup = new UsageRollup(sourceSystem, granularity, context.Pricer, string.IsNullOrEmpty(userId) ? null : userId, projectId, () => fileTime, provider);
        // Claude Code writes a resumed session's earlier responses into the new session file: count each once.
        var claudeCodeMessageIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            rollup.File = file;
            // Payloads without their own timestamp are counted at the file's last write, the best time they have.
            fileTime = file == "-" ? context.Clock.GetUtcNow() : new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            using var input = file == "-" ? Console.OpenStandardInput() : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            new UsageNormalizer(rollup, format, claudeCodeMessageIds: claudeCodeMessageIds).Run(input);
        }
        return rollup;
    }
}
