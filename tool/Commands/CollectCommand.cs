using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class CollectCommand(ILogger<CollectCommand> log)
{
    [Command("collect", Description = "Run the enabled sources over their due windows (or --from/--to), upsert, advance watermarks, write watchdog rows")]
    public async Task<int> Collect(GlobalOptions global,
        [Option(Description = "Only this source (repeatable)")] string[]? source = null,
        [Option(Description = "Re-collect from this time (ISO 8601; UTC when no offset)")] string? from = null,
        [Option(Description = "Re-collect up to this time (exclusive)")] string? to = null,
        [Option(Description = "Keep running, one cycle per interval, aligned to the wall clock")] bool daemon = false,
        [Option(Description = "Cycle interval for --daemon (15m, 1h, …; default scheduler.interval)")] string? interval = null)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        if ((from is null) != (to is null)) throw new TelemetryException("--from and --to go together", "give both, e.g. --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z");
        CollectionRange? range = null;
        if (from is not null) range = new CollectionRange(IsoTime.Parse(from, "--from"), IsoTime.Parse(to!, "--to"));
        if (range is not null && range.End <= range.Start) throw new TelemetryException("--to must be after --from");
        var only = source ?? [];
        var unknown = only.Where(n => !instance.Config.Sources.Enabled().Any(s => s.Name == n)).ToList();
        if (unknown.Count > 0)
            throw new TelemetryException($"source '{unknown[0]}' is not enabled in {instance.ConfigPath}",
                $"enabled: {string.Join(", ", instance.Config.Sources.Enabled().Select(s => s.Name).DefaultIfEmpty("none"))}");
        var every = interval is null ? instance.Config.Scheduler.Interval
            : Durations.TryParse(interval, out var parsed) && parsed >= TimeSpan.FromMinutes(1) && parsed <= TimeSpan.FromDays(7) ? parsed
            : throw new TelemetryException($"--interval '{interval}' is not a duration from 1m to 7d", "e.g. 15m or 1h");

        return await new CollectRun(instance, Terminal.Feedback(log))
            .RunAsync(only, range, daemon ? every : null, CollectOutput.Print, ProcessLifetime.Token);
    }
}
