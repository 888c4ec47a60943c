using TokenTelemetry.Http;

namespace TokenTelemetry.Sources;

/// <summary>
/// Exact integer increments of a cumulative counter series, per window (DESIGN invariant 3). Between consecutive
/// samples the increment is the difference, or — when the value went down, i.e. the process restarted — the new
/// value itself; it belongs to the window holding the later sample. Samples before the range are the baseline. A
/// series with no sample in the baseline margin was born inside the range, so its first value counts whole.
/// Undetectable: a restart that regrows past the old value between two samples (it looks like a smaller increase).
/// </summary>
public static class CounterDeltas
{
    public static IEnumerable<(DateTimeOffset Window, long Delta)> Of(PrometheusSeries series, CollectionRange range, Func<DateTimeOffset, DateTimeOffset> windowOf)
    {
        var start = range.Start.ToUnixTimeMilliseconds() / 1000.0;
        var end = range.End.ToUnixTimeMilliseconds() / 1000.0;
        double? previous = null;
        foreach (var (time, raw) in series.Samples)
        {
            if (time >= end) break;
            var value = Math.Round(raw);
            if (time < start)
            {
                previous = value;
                continue;
            }
            var delta = previous is not { } p ? value : value >= p ? value - p : value;
            previous = value;
            if (delta > 0) yield return (windowOf(DateTimeOffset.FromUnixTimeMilliseconds((long)(time * 1000))), (long)delta);
        }
    }
}
