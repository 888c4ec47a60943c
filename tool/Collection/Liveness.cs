using TokenTelemetry.Configuration;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Collection;

/// <summary>
/// When a source counts as alive, and for how long it may stay quiet (DESIGN §3 watchdog_status, invariant 9) — one
/// rule for the collector's freshness rows, the watchdog and the rendered watchdog script: alive is the later of its last
/// ingest (MAX(updated_at)) and its last successful poll, so an idle source that polls is alive.
/// </summary>
public static class Liveness
{
    public static DateTimeOffset? Alive(DateTimeOffset? lastIngest, DateTimeOffset? lastPoll) =>
        lastIngest is null ? lastPoll : lastPoll is null ? lastIngest : lastIngest > lastPoll ? lastIngest : lastPoll;

    /// <summary>Seconds since the source was last alive; null when it never was.</summary>
    public static long? StaleSeconds(DateTimeOffset now, DateTimeOffset? alive) => alive is null ? null : (long)(now - alive.Value).TotalSeconds;

    /// <summary>Config's per-source threshold, else two collection intervals plus one window plus the lag: an idle but
    /// polling source stays ok, a source that stops polling goes stale within about two cycles.</summary>
    public static int ThresholdSeconds(InstanceConfig config, string source, Granularity granularity)
    {
        if (config.Watchdog.Thresholds.TryGetValue(source, out var configured)) return configured;
        var s = config.Scheduler;
        // Subscription days come from the plans in config, rewritten every cycle: no provider window to wait for.
        var window = source == "subscriptions" ? TimeSpan.Zero : granularity switch
        {
            Granularity.FifteenMinutes => TimeSpan.FromMinutes(15),
            Granularity.Hour => TimeSpan.FromHours(1),
            Granularity.Day => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        return (int)(2 * s.Interval + window + TimeSpan.FromMinutes(s.LagMinutes)).TotalSeconds;
    }

    /// <summary>The heartbeat is stale after two missed cycles.</summary>
    public static int HeartbeatThresholdSeconds(SchedulerConfig scheduler) => (int)(2 * scheduler.Interval).TotalSeconds;
}
