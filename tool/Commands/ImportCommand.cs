using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class ImportCommand(ILogger<ImportCommand> log)
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
        var options = new ImportOptions
        {
            Path = path, BaseDirectory = Invocation.Current.WorkingDirectory, Format = format, SourceSystem = sourceSystem, UserId = userId,
            ProjectId = projectId, Granularity = granularity, Provider = provider, At = at, Replace = replace,
        };
        options.Validate(); // before the instance is loaded: a bad flag is reported as itself
        var instance = InstanceLoading.Load(global, requireSources: false);
        var result = await new ImportUseCase(instance, Terminal.Feedback(log)).RunAsync(options, ProcessLifetime.Token);
        foreach (var r in result.Rejections) Terminal.Error(r);
        if (result.MoreRejections > 0) Terminal.Error($"… and {result.MoreRejections} more rejected record(s)");
        Terminal.Out($"imported {result.Summary()}");
        return ExitCodes.PartialIf(result.RejectedCount > 0);
    }
}
