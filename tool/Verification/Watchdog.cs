using Npgsql;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Verification;

/// <summary>
/// The freshness check from outside the collector (DESIGN §5): per enabled source, its <see cref="Liveness"/> — stale
/// past its threshold; paused sources are ok
/// and say why; the collector's own last error is kept. The heartbeat is judged by the collector's last cycle
/// (never refreshed by the watchdog). Rows are written with checked_by = watchdog.
/// </summary>
public sealed class Watchdog(SchemaName schema, InstanceConfig config, TimeProvider clock)
{
    public async Task<WatchdogResult> CheckAsync(NpgsqlConnection connection, bool write, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var store = new WatchdogStatusStore(schema, SecretRedactor.For(config));
        var side = new SideTablesStore(schema);
        var previous = (await store.ReadAllAsync(connection, ct)).ToDictionary(r => r.SourceSystem);
        var rows = new List<WatchdogStatusRow>();
        foreach (var (name, source) in config.Sources.Enabled())
        {
            var threshold = Liveness.ThresholdSeconds(config, name, SourceGranularity.Of(name, source));
            var collector = previous.GetValueOrDefault(name);
            var lastIngest = await side.LastIngestAsync(connection, name, ct);
            var lastPoll = collector?.LastPollAt;
            var stale = Liveness.StaleSeconds(now, Liveness.Alive(lastIngest, lastPoll));
            var (status, message) =
                config.Watchdog.Paused.TryGetValue(name, out var why) ? ("paused", $"paused: {why}")
                : collector?.Status == "error" ? ("error", collector.Message ?? "the collector reported an error")
                : stale is null ? ("never_seen", $"no data and no successful poll yet: run `token-telemetry collect --source {name}` and check its output")
                : stale > threshold ? ("stale", $"nothing new for {Age(stale.Value)} (threshold {Age(threshold)}): check that collect runs and that {name} answers")
                : ("ok", $"alive {Age(stale!.Value)} ago");
            rows.Add(new WatchdogStatusRow
            {
                SourceSystem = name, Status = status, ThresholdSeconds = threshold, StaleSeconds = stale, LastIngestAt = lastIngest,
                LastPollAt = lastPoll, LastCheckAt = now, Message = message, CheckedBy = "watchdog",
            });
        }

        var heartbeatThreshold = Liveness.HeartbeatThresholdSeconds(config.Scheduler);
        var beat = previous.GetValueOrDefault(WatchdogStatusRow.Heartbeat);
        var beatAt = beat?.LastPollAt;
        var beatAge = Liveness.StaleSeconds(now, beatAt);
        var heartbeatOk = beatAge is not null && beatAge <= heartbeatThreshold;
        var heartbeat = new WatchdogStatusRow
        {
            SourceSystem = WatchdogStatusRow.Heartbeat, Status = heartbeatOk ? "ok" : beat is null ? "never_seen" : "stale",
            ThresholdSeconds = heartbeatThreshold, StaleSeconds = beatAge, LastPollAt = beatAt, LastCheckAt = now, CheckedBy = "watchdog",
            Message = beat is null ? "the collector has never run: schedule `token-telemetry collect` (cron, systemd timer or --daemon)"
                : heartbeatOk ? $"collector cycle {Age(beatAge!.Value)} ago"
                : $"the collector's last cycle was {Age(beatAge!.Value)} ago (threshold {Age(heartbeatThreshold)}): is it still scheduled and running?",
        };

        if (write)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            foreach (var row in rows.Append(heartbeat)) await store.UpsertAsync(tx, row, ct);
            await tx.CommitAsync(ct);
        }
        var exit = !heartbeatOk ? WatchdogResult.HeartbeatStale
            : rows.Any(r => r.Status is "stale" or "error" or "never_seen") ? WatchdogResult.SourceProblem
            : WatchdogResult.Ok;
        return new WatchdogResult(rows, heartbeat, exit);
    }

    private static string Age(long seconds) =>
        seconds >= 2 * 86400 ? $"{seconds / 86400.0:0.#} d" : seconds >= 2 * 3600 ? $"{seconds / 3600.0:0.#} h" : seconds >= 120 ? $"{seconds / 60} min" : $"{seconds} s";
}
