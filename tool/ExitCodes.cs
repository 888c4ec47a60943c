namespace TokenTelemetry;

/// <summary>
/// The process exit codes (DESIGN §5, README "Exit codes"), named once so that a command says what it means rather than
/// which number: scripts, cron and the watchdog units branch on them, so a value here never changes.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A fatal failure: bad input, an unreachable database, a refused migration, a bug.</summary>
    public const int Failed = 1;
    /// <summary>Partial success: some sources failed, records were rejected or checks failed; the rest was kept.</summary>
    public const int Partial = 2;
    /// <summary>SIGINT/SIGTERM stopped the command; nothing half-written was committed (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>watchdog: a source is stale, erroring or never seen.</summary>
    public const int WatchdogSourceProblem = 1;
    /// <summary>watchdog: the collector's heartbeat is stale or missing.</summary>
    public const int WatchdogHeartbeatStale = 2;
    /// <summary>watchdog: the check itself could not run (the database is unreachable).</summary>
    public const int WatchdogCannotCheck = 3;

    /// <summary>Partial when anything went wrong, else ok.</summary>
    public static int PartialIf(bool somethingFailed) => somethingFailed ? Partial : Ok;
}
