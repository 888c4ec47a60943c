using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;

namespace TokenTelemetry.UseCases;

/// <summary>
/// `import`: a file, folder or stdin of per-request payloads or aggregate rows through <see cref="FileIngest"/> — the
/// one ingest path, which the engine also runs for the `requests` and `manual` sources — then the price snapshot the
/// rows were priced with. Calls get identity.user_id unless --user-id says otherwise; aggregate rows only what was
/// passed explicitly, so the same file gives the same rows through `import` and through `manual`.
/// </summary>
public sealed class ImportUseCase(Instance instance, Feedback feedback)
{
    public async Task<IngestResult> RunAsync(ImportOptions options, CancellationToken ct)
    {
        var granularity = options.Validate();
        var context = await CollectionSetup.ContextAsync(instance, feedback.Warn, ct);
        var request = new IngestRequest
        {
            Path = options.Path, BaseDirectory = options.BaseDirectory, Format = options.Format == "rows" ? "auto" : options.Format,
            Rows = options.Format == "rows" ? true : options.Format == "auto" ? null : false,
            SourceSystem = options.SourceSystem ?? "import", UserId = NullIfEmpty(options.UserId ?? instance.Config.Identity.UserId),
            ProjectId = NullIfEmpty(options.ProjectId), RowUserId = NullIfEmpty(options.UserId), RowProjectId = NullIfEmpty(options.ProjectId),
            Granularity = granularity, Provider = options.Provider, Replace = options.Replace,
            At = options.At is null ? null : IsoTime.Parse(options.At, "--at"), AtHint = "--at T",
        };
        feedback.Log.LogDebug("import: config {ConfigPath}; {Path} as {Format}, source_system {SourceSystem}, {Granularity} windows",
            instance.ConfigPath, request.Path, options.Format, request.SourceSystem, granularity);
        var clock = Stopwatch.StartNew();
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        var result = await new FileIngest(database, context.Pricer, context.Clock, feedback.Progress).RunAsync(request, ct);
        await CollectionSetup.RecordSnapshotAsync(database, context.Pricer, feedback.Warn, ct);
        feedback.Log.LogDebug("import: {Rows} row(s) written, {Rejected} rejected, in {Milliseconds} ms", result.RowsWritten, result.RejectedCount, clock.ElapsedMilliseconds);
        return result;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
