using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Collection;

/// <summary>
/// Which windows a source is due for (DESIGN §4, §7): from its watermark (a first run starts max_backfill_hours
/// back), up to floor(now − lag), at most max_backfill_hours per cycle, reaching back lookback_days complete days for
/// sources that finalise late, and never before what the provider still retains.
/// </summary>
public static class WindowPlanner
{
    public static CollectionRange? Plan(SourceCapabilities caps, SchedulerConfig scheduler, DateTimeOffset now, DateTimeOffset? watermark, Action<string>? warn)
    {
        var g = caps.Granularity;
        var end = WindowGrid.Floor(now.AddMinutes(-scheduler.LagMinutes), g);
        var start = watermark ?? WindowGrid.Floor(now.AddHours(-scheduler.MaxBackfillHours), g);
        // lookback_days complete days before today, and today so far: a provider's recent buckets still change.
        if (caps.FinalizesLate && scheduler.LookbackDays > 0)
        {
            var lookback = WindowGrid.Floor(WindowGrid.Floor(end, Granularity.Day).AddDays(-scheduler.LookbackDays), g);
            if (lookback < start) start = lookback;
        }
        if (caps.BackfillDepth is { } depth)
        {
            var oldest = WindowGrid.Ceiling(now - depth, g);
            if (start < oldest)
            {
                warn?.Invoke($"the provider keeps only {depth.TotalDays:0.#} days: {start:u} to {oldest:u} can no longer be collected");
                start = oldest;
            }
        }
        // One cycle never reaches further than max_backfill_hours; the rest is due next cycle.
        var cap = WindowGrid.Floor(start.AddHours(scheduler.MaxBackfillHours), g);
        if (cap <= start) cap = WindowGrid.Next(start, g);
        if (end > cap) end = cap;
        return start < end ? new CollectionRange(start, end) : null;
    }

    public static IEnumerable<CollectionRange> Windows(CollectionRange range, Granularity g)
    {
        for (var start = range.Start; start < range.End; start = WindowGrid.Next(start, g))
            yield return new CollectionRange(start, WindowGrid.Next(start, g));
    }
}
