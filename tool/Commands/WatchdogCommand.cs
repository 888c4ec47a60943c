using System.Text.Json;
using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Database;
using TokenTelemetry.UseCases;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed class WatchdogCommand(ILogger<WatchdogCommand> log)
{
    [Command("watchdog", Description = "Freshness check from outside the collector; exit 0 ok, 1 a source stale/erroring/never seen, 2 collector heartbeat stale, 3 cannot check")]
    public async Task<int> Watchdog(GlobalOptions global, [Option(Description = "Print JSON")] bool json = false)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        WatchdogResult result;
        try
        {
            result = await new CheckFreshness(instance, Terminal.Feedback(log)).RunAsync(ProcessLifetime.Token);
        }
        catch (DatabaseUnreachableException e)
        {
            Terminal.Error(e.ToErrorLine());
            if (json) Terminal.Out(JsonSerializer.Serialize(new { status = "cannot_check", exit_code = WatchdogResult.CannotCheck, message = e.Message }));
            return WatchdogResult.CannotCheck;
        }
        if (json)
        {
            object Row(WatchdogStatusRow r) => new
            {
                source_system = r.SourceSystem, status = r.Status, threshold_seconds = r.ThresholdSeconds, stale_seconds = r.StaleSeconds,
                last_ingest_at = r.LastIngestAt, last_poll_at = r.LastPollAt, message = r.Message,
            };
            Terminal.Out(JsonSerializer.Serialize(new { exit_code = result.ExitCode, heartbeat = Row(result.Heartbeat), sources = result.Sources.Select(Row) }));
        }
        else
            foreach (var r in result.Sources.Append(result.Heartbeat))
                Terminal.Out($"{r.SourceSystem,-14} {r.Status,-10} {r.Message}");
        return result.ExitCode;
    }
}
