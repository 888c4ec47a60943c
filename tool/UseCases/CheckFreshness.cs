using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Verification;

namespace TokenTelemetry.UseCases;

/// <summary>`watchdog`: every enabled source's freshness and the collector's heartbeat, judged from outside the
/// collector and written back (checked_by = watchdog). An unreachable database is a
/// <see cref="DatabaseUnreachableException"/>: the caller reports "cannot check", not a verdict.</summary>
public sealed class CheckFreshness(Instance instance, Feedback feedback)
{
    public async Task<WatchdogResult> RunAsync(CancellationToken ct)
    {
        feedback.Log.LogDebug("watchdog: config {ConfigPath}", instance.ConfigPath);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        var result = await new Watchdog(database.Schema, instance.Config, TimeProvider.System).CheckAsync(connection, write: true, ct);
        foreach (var r in result.Sources.Append(result.Heartbeat))
            feedback.Log.LogDebug("watchdog: {Source} {Status}, stale {Stale} s of {Threshold} s", r.SourceSystem, r.Status, r.StaleSeconds, r.ThresholdSeconds);
        return result;
    }
}
