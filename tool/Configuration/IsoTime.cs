using System.Globalization;

namespace TokenTelemetry.Configuration;

/// <summary>A time given on the command line or in TT_NOW (DESIGN §5): ISO 8601 with a date, UTC when no offset is given.</summary>
public static class IsoTime
{
    /// <summary>The date is required: "13:00" alone would silently mean today.</summary>
    public static DateTimeOffset Parse(string text, string flag) =>
        text.Trim() is { Length: >= 10 } t0 && char.IsAsciiDigit(t0[0]) && t0[4] == '-' && t0[7] == '-'
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : throw new TelemetryException($"{flag} '{text}' is not an ISO 8601 date and time", "e.g. 2026-11-20T13:00:00Z (UTC when no offset is given)");
}
