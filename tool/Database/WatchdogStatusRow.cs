namespace TokenTelemetry.Database;

/// <summary>One watchdog_status row: a source's (or __heartbeat__'s) freshness verdict.</summary>
public sealed record WatchdogStatusRow
{
    public const string Heartbeat = "__heartbeat__";

    public required string SourceSystem { get; init; }
    /// <summary>ok, stale, never_seen, paused, error or unknown.</summary>
    public required string Status { get; init; }
    public required int ThresholdSeconds { get; init; }
    public long? StaleSeconds { get; init; }
    public DateTimeOffset? LastIngestAt { get; init; }
    public DateTimeOffset? LastPollAt { get; init; }
    public DateTimeOffset? LastCheckAt { get; init; }
    /// <summary>The actionable next step for a person reading the dashboard.</summary>
    public string? Message { get; init; }
    /// <summary>collector, watchdog or manual.</summary>
    public required string CheckedBy { get; init; }
}
