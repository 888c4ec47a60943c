using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Collection;

/// <summary>
/// The collector's watchdog_status rows (DESIGN §3, invariant 9): per enabled source its status, liveness from the
/// later of its last ingest (MAX(updated_at)) and its last successful poll — an idle source that polls is alive —
/// and an actionable message; plus __heartbeat__ with a threshold derived from the schedule interval.
/// </summary>
public sealed class Freshness(SchemaName schema, InstanceConfig config, TimeProvider clock)
{
    public async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<ICollectionSource> sources, IReadOnlyList<SourceOutcome> outcomes, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var store = new WatchdogStatusStore(schema, SecretRedactor.For(config));
        var side = new SideTablesStore(schema);
        var previous = (await store.ReadAllAsync(connection, ct)).ToDictionary(r => r.SourceSystem);
        await using var tx = await connection.BeginTransactionAsync(CancellationToken.None);
        foreach (var source in sources)
        {
            var outcome = outcomes.FirstOrDefault(o => o.Source == source.Name);
            if (outcome is null || outcome.Status == SourceStatus.Skipped) continue; // the collector holding the lock reports it
            var lastIngest = await side.LastIngestAsync(connection, source.Name, CancellationToken.None);
            var lastPoll = outcome.Status == SourceStatus.Ok ? now : previous.GetValueOrDefault(source.Name)?.LastPollAt;
            var alive = Later(lastIngest, lastPoll);
            var paused = config.Watchdog.Paused.TryGetValue(source.Name, out var pausedWhy);
            await store.UpsertAsync(tx, new WatchdogStatusRow
            {
                SourceSystem = source.Name,
                Status = paused ? "paused" : outcome.Status == SourceStatus.Failed ? "error" : alive is null ? "never_seen" : "ok",
                ThresholdSeconds = ThresholdSeconds(source),
                StaleSeconds = alive is null ? null : (long)(now - alive.Value).TotalSeconds,
                LastIngestAt = lastIngest,
                LastPollAt = lastPoll,
                LastCheckAt = now,
                Message = paused ? $"paused: {pausedWhy}" : outcome.Message,
                CheckedBy = "collector",
            }, CancellationToken.None);
        }
        var ok = outcomes.Count(o => o.Status == SourceStatus.Ok);
        var failed = outcomes.Count(o => o.Status == SourceStatus.Failed);
        var skipped = outcomes.Count(o => o.Status == SourceStatus.Skipped);
        await store.UpsertAsync(tx, new WatchdogStatusRow
        {
            SourceSystem = WatchdogStatusRow.Heartbeat,
            Status = "ok",
            ThresholdSeconds = HeartbeatThresholdSeconds(config.Scheduler),
            StaleSeconds = 0,
            LastIngestAt = null,
            LastPollAt = now,
            LastCheckAt = now,
            Message = $"collector cycle finished: {ok} ok, {failed} failed, {skipped} skipped; next due within {Durations.Format(config.Scheduler.Interval)}",
            CheckedBy = "collector",
        }, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Config's per-source threshold, else two collection intervals plus one window plus the lag: an idle but
    /// polling source stays ok, a source that stops polling goes stale within about two cycles.</summary>
    public int ThresholdSeconds(ICollectionSource source) => ThresholdSeconds(config, source.Name, source.Capabilities.Granularity);

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

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
