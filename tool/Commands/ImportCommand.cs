using Cocona;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Commands;

public sealed class ImportCommand
{
    [Command("import", Description = "Ingest per-request payloads (JSONL/SSE/JSON) or aggregate rows (CSV/JSON): normalize, identify, price, count each call once")]
    public async Task<int> Import(GlobalOptions global,
        [Argument(Description = "A file, a folder, or - for stdin")] string path,
        [Option(Description = "auto, a route (see normalize), or rows for aggregate CSV/JSON rows")] string format = "auto",
        [Option("source-system", Description = "source_system of the rows (default: import; rows files: their own column, else import)")] string? sourceSystem = null,
        [Option("user-id", Description = "user_id of the calls (default: identity.user_id, else org level); of aggregate rows that leave theirs blank")] string? userId = null,
        [Option("project-id", Description = "project_id of the calls, and of aggregate rows that leave theirs blank")] string? projectId = null,
        [Option(Description = "Window of the rolled-up rows: hour or day")] string granularity = "hour",
        [Option(Description = "Provider to record instead of the route's own")] string? provider = null,
        [Option(Description = "Time (ISO 8601) of calls whose payload and log envelope carry none; without it such lines are rejected")] string? at = null,
        [Option(Description = "Rebuild the rows this input touches from this input alone (calls counted there from other inputs are dropped)")] bool replace = false)
    {
        var ct = ProcessLifetime.Token;
        var g = granularity switch
        {
            "hour" => Granularity.Hour,
            "day" => Granularity.Day,
            _ => throw new TelemetryException($"--granularity '{granularity}' is not hour or day"),
        };
        foreach (var (flag, value) in new[] { ("--source-system", sourceSystem), ("--user-id", userId), ("--project-id", projectId), ("--provider", provider) })
            if (UsageLimits.LabelProblem(flag, value) is { } problem) throw new TelemetryException(problem);
        if (sourceSystem is not null && sourceSystem.Trim().Length == 0) throw new TelemetryException("--source-system is empty", "leave it out for the default (import)");
        var instance = InstanceLoading.Load(global, requireSources: false);
        var context = await CollectionSetup.ContextAsync(instance, ct);
        var request = new IngestRequest
        {
            Path = path, BaseDirectory = Invocation.Current.WorkingDirectory, Format = format == "rows" ? "auto" : format,
            Rows = format == "rows" ? true : format == "auto" ? null : false,
            SourceSystem = sourceSystem ?? "import", UserId = NullIfEmpty(userId ?? instance.Config.Identity.UserId), ProjectId = NullIfEmpty(projectId),
            RowUserId = NullIfEmpty(userId), RowProjectId = NullIfEmpty(projectId),
            Granularity = g, Provider = provider, Replace = replace,
            At = at is null ? null : CollectCommand.Time(at, "--at"), AtHint = "--at T",
        };
        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        var result = await new FileIngest(database, context.Pricer, context.Clock, Terminal.Progress).RunAsync(request, ct);
        await CollectionSetup.RecordSnapshotAsync(database, context.Pricer, ct);
        foreach (var r in result.Rejections) Terminal.Error(r);
        if (result.MoreRejections > 0) Terminal.Error($"… and {result.MoreRejections} more rejected record(s)");
        Terminal.Out($"imported {result.Summary()}");
        return result.RejectedCount > 0 ? 2 : 0;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
