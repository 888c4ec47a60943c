using TokenTelemetry.Database;

namespace TokenTelemetry.Verification;

/// <summary>The watchdog's verdict: every enabled source's row, the heartbeat's, and the exit code they mean.</summary>
public sealed record WatchdogResult(IReadOnlyList<WatchdogStatusRow> Sources, WatchdogStatusRow Heartbeat, int ExitCode)
{
    public const int Ok = 0;
    /// <summary>A source is stale, erroring or never seen.</summary>
    public const int SourceProblem = 1;
    /// <summary>The collector's heartbeat is stale or missing: nothing is being collected at all.</summary>
    public const int HeartbeatStale = 2;
    /// <summary>The check itself could not run (database unreachable).</summary>
    public const int CannotCheck = 3;
}
