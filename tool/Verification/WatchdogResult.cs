using TokenTelemetry.Database;

namespace TokenTelemetry.Verification;

/// <summary>The watchdog's verdict: every enabled source's row, the heartbeat's, and the exit code they mean.</summary>
public sealed record WatchdogResult(IReadOnlyList<WatchdogStatusRow> Sources, WatchdogStatusRow Heartbeat, int ExitCode)
{
    public const int Ok = ExitCodes.Ok;
    /// <summary>A source is stale, erroring or never seen.</summary>
    public const int SourceProblem = ExitCodes.WatchdogSourceProblem;
    /// <summary>The collector's heartbeat is stale or missing: nothing is being collected at all.</summary>
    public const int HeartbeatStale = ExitCodes.WatchdogHeartbeatStale;
    /// <summary>The check itself could not run (database unreachable).</summary>
    public const int CannotCheck = ExitCodes.WatchdogCannotCheck;
}
