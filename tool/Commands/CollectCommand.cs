using System.Globalization;
using Cocona;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Commands;

public sealed class CollectCommand
{
    [Command("collect", Description = "Run the enabled sources over their due windows (or --from/--to), upsert, advance watermarks, write watchdog rows")]
    public async Task<int> Collect(GlobalOptions global,
        [Option(Description = "Only this source (repeatable)")] string[]? source = null,
        [Option(Description = "Re-collect from this time (ISO 8601; UTC when no offset)")] string? from = null,
        [Option(Description = "Re-collect up to this time (exclusive)")] string? to = null,
        [Option(Description = "Keep running, one cycle per interval, aligned to the wall clock")] bool daemon = false,
        [Option(Description = "Cycle interval for --daemon (15m, 1h, …; default scheduler.interval)")] string? interval = null)
    {
        var ct = ProcessLifetime.Token;
        var instance = InstanceLoading.Load(global, requireSources: false);
        if ((from is null) != (to is null)) throw new TelemetryException("--from and --to go together", "give both, e.g. --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z");
        CollectionRange? range = null;
        if (from is not null) range = new CollectionRange(Time(from, "--from"), Time(to!, "--to"));
        if (range is not null && range.End <= range.Start) throw new TelemetryException("--to must be after --from");
        var only = source ?? [];
        var unknown = only.Where(n => !instance.Config.Sources.Enabled().Any(s => s.Name == n)).ToList();
        if (unknown.Count > 0)
            throw new TelemetryException($"source '{unknown[0]}' is not enabled in {instance.ConfigPath}",
                $"enabled: {string.Join(", ", instance.Config.Sources.Enabled().Select(s => s.Name).DefaultIfEmpty("none"))}");
        var every = interval is null ? instance.Config.Scheduler.Interval
            : Durations.TryParse(interval, out var parsed) && parsed >= TimeSpan.FromMinutes(1) && parsed <= TimeSpan.FromDays(7) ? parsed
            : throw new TelemetryException($"--interval '{interval}' is not a duration from 1m to 7d", "e.g. 15m or 1h");

        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        var sourceContext = await CollectionSetup.ContextAsync(instance, ct);
        if (!daemon) return await CycleAsync(instance, database, sourceContext, only, range, ct);

        Terminal.Progress($"collector daemon: one cycle every {Durations.Format(every)}; stop with Ctrl-C or SIGTERM");
        var last = 0;
        while (!ct.IsCancellationRequested)
        {
            last = await CycleAsync(instance, database, sourceContext, only, range, ct);
            var now = DateTimeOffset.UtcNow;
            var next = new DateTimeOffset((now.UtcTicks / every.Ticks + 1) * every.Ticks, TimeSpan.Zero);
            Terminal.Progress($"next cycle at {next:u}");
            try { await Task.Delay(next - now, ct); }
            catch (OperationCanceledException) { break; }
        }
        Terminal.Progress("collector daemon stopped");
        return last;
    }

    internal static async Task<int> CycleAsync(Instance instance, TelemetryDatabase database, SourceContext context, string[] only, CollectionRange? range, CancellationToken ct)
    {
        var sources = SourceFactory.Create(context, instance.SourceProblems, only);
        try
        {
            if (sources.Count == 0)
                Terminal.Warning($"no source is enabled in {instance.ConfigPath}; only the heartbeat is written");
            var engine = new CollectionEngine(database, instance.Config, context.Clock, Terminal.Progress, Terminal.Warning, context.Pricer);
            var outcomes = await engine.RunCycleAsync(sources, range, ct);
            await CollectionSetup.RecordSnapshotAsync(database, context.Pricer, ct);
            foreach (var o in outcomes)
                Terminal.Out($"{o.Source,-14} {o.Status.ToString().ToLowerInvariant(),-8} {o.Message}");
            return ExitCodes.PartialIf(outcomes.Any(o => o.Status == SourceStatus.Failed));
        }
        finally
        {
            foreach (var s in sources.OfType<IDisposable>()) s.Dispose();
        }
    }

    /// <summary>A time given on the command line: ISO 8601 with a date ("13:00" alone would silently mean today).</summary>
    internal static DateTimeOffset Time(string text, string flag) =>
        text.Trim() is { Length: >= 10 } t0 && char.IsAsciiDigit(t0[0]) && t0[4] == '-' && t0[7] == '-'
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : throw new TelemetryException($"{flag} '{text}' is not an ISO 8601 date and time", "e.g. 2026-11-20T13:00:00Z (UTC when no offset is given)");
}
