using System.Globalization;

namespace TokenTelemetry.Pricing;

/// <summary>[From, To) in UTC days; a missing end is open. A window is priced with what is in force at its start.</summary>
public readonly record struct DateSpan(DateOnly? From, DateOnly? To)
{
    public bool Contains(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return (From is null || day >= From) && (To is null || day < To);
    }

    /// <summary>The instants where this span starts and ends (UTC midnight), for cutting time into epochs.</summary>
    public IEnumerable<DateTimeOffset> Edges()
    {
        if (From is { } f) yield return Midnight(f);
        if (To is { } t) yield return Midnight(t);
    }

    public static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>"", " from 2026-11-15", " to 2026-12-01" or " from … to …" (to exclusive).</summary>
    public string Label() =>
        (From is { } f ? " from " + Day(f) : "") + (To is { } t ? " to " + Day(t) : "");

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
