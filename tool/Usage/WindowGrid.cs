namespace TokenTelemetry.Usage;

/// <summary>
/// The UTC window grid of each granularity (invariant 5): 15-minute windows start at :00/:15/:30/:45,
/// hours at :00, days at 00:00, months on the 1st. Windows are [start, end).
/// </summary>
public static class WindowGrid
{
    public static DateTimeOffset Floor(DateTimeOffset t, Granularity g)
    {
        var u = t.UtcDateTime;
        var floored = g switch
        {
            Granularity.FifteenMinutes => new DateTime(u.Year, u.Month, u.Day, u.Hour, u.Minute / 15 * 15, 0, DateTimeKind.Utc),
            Granularity.Hour => new DateTime(u.Year, u.Month, u.Day, u.Hour, 0, 0, DateTimeKind.Utc),
            Granularity.Day => new DateTime(u.Year, u.Month, u.Day, 0, 0, 0, DateTimeKind.Utc),
            Granularity.Month => new DateTime(u.Year, u.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new ArgumentOutOfRangeException(nameof(g), g, null),
        };
        return new DateTimeOffset(floored);
    }

    public static bool IsAligned(DateTimeOffset t, Granularity g) => Floor(t, g) == t;

    /// <summary>The first grid point at or after t: off-grid watermarks snap FORWARD, never backward (invariant 10).</summary>
    public static DateTimeOffset Ceiling(DateTimeOffset t, Granularity g) => IsAligned(t, g) ? t.ToUniversalTime() : Next(Floor(t, g), g);

    /// <summary>The end of the window that starts at an aligned <paramref name="start"/>.</summary>
    public static DateTimeOffset Next(DateTimeOffset start, Granularity g) => g switch
    {
        Granularity.FifteenMinutes => start.AddMinutes(15),
        Granularity.Hour => start.AddHours(1),
        Granularity.Day => start.AddDays(1),
        Granularity.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(g), g, null),
    };
}
