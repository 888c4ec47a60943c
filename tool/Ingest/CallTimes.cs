namespace TokenTelemetry.Ingest;

/// <summary>The times a call or row may carry: from 2000-01-01 (before any metered LLM API) up to one day after now
/// (clocks drift; a log line further ahead is corrupt). A time outside is rejected with that line, never stored.</summary>
public static class CallTimes
{
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan AheadOfNow = TimeSpan.FromDays(1);

    public static string? Problem(DateTimeOffset time, DateTimeOffset now) =>
        time < Earliest ? $"time {time:u} is before {Earliest:yyyy-MM-dd} (a corrupt or zero timestamp?)"
        : time > now + AheadOfNow ? $"time {time:u} is more than a day after now ({now:u}): a clock or file error"
        : null;

    /// <summary>A window before the retention horizon: its month's hourly detail was dropped and its totals are in the
    /// rollups, so a call or row counted there again would be counted twice.</summary>
    public static string? RetentionProblem(DateTimeOffset windowStart, DateTimeOffset? horizon) =>
        horizon is { } h && windowStart < h
            ? $"window {windowStart:u} is before the retention horizon {h:u}: that month's hourly detail was dropped (retention.hourly_days) and its totals are in the rollups already"
            : null;
}
