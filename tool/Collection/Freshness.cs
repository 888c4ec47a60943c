using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Collection;

/// <summary>
/// The collector's watchdog_status rows (DESIGN §3, invariant 9): per enabled source its status, its <see cref="Liveness"/>
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
            var alive = Liveness.Alive(lastIngest, lastPoll);
            var paused = config.Watchdog.Paused.TryGetValue(source.Name, out var pausedWhy);
            await store.UpsertAsync(tx, new WatchdogStatusRow
            {
                SourceSystem = source.Name,
                Status = paused ? "paused" : outcome.Status == SourceStatus.Failed ? "error" : alive is null ? "never_seen" : "ok",
                ThresholdSeconds = Liveness.ThresholdSeconds(config, source.Name, source.Capabilities.Granularity),
                StaleSeconds = Liveness.StaleSeconds(now, alive),
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
            ThresholdSeconds = Liveness.HeartbeatThresholdSeconds(config.Scheduler),
            StaleSeconds = 0,
            LastIngestAt = null,
            LastPollAt = now,
            LastCheckAt = now,
            Message = $"collector cycle finished: {ok} ok, {failed} failed, {skipped} skipped; next due within {Durations.Format(config.Scheduler.Interval)}",
            CheckedBy = "collector",
        }, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }
}
