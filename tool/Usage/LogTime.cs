using System.Globalization;
using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Reads a call's time from a payload or log-envelope field: ISO 8601 with a date (a zone-less time is UTC; a space
/// may stand for the T), or a Unix epoch number — seconds, milliseconds, microseconds or nanoseconds, told apart by
/// magnitude (below 10^11 seconds, below 10^14 milliseconds, …), also when written as a string of digits. A time
/// without a date ("13:00:00") is not a time: DateTimeOffset.Parse would silently give it today's date. Nor is an
/// epoch number before 2001-09-09 (10^9 seconds): logs write durations under keys like "time" (0.53).
/// </summary>
public static class LogTime
{
    /// <summary>The time a field holds; null when absent or JSON null; <see cref="UsageFormatException"/> when present
    /// but not a date and time.</summary>
    public static DateTimeOffset? Read(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return Parse(value) ?? throw new UsageFormatException($"{name} {Describe(value)} is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)");
    }

    /// <summary>As <see cref="Read"/>, but a numeric 0 — what some OpenAI-compatible servers write for "created" when
    /// they keep no clock — counts as absent rather than as a bad time.</summary>
    public static DateTimeOffset? ReadUnlessZero(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n) && n == 0 ? null : Read(parent, name);

    /// <summary>The time a value holds, or null when it is not one.</summary>
    public static DateTimeOffset? Parse(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDecimal(out var n) ? FromEpoch(n) : null,
        JsonValueKind.String => Parse(value.GetString()!),
        _ => null,
    };

    public static DateTimeOffset? Parse(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.Length is > 0 and <= 20 && span.IndexOfAnyExceptInRange('0', '9') < 0)
            return decimal.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? FromEpoch(n) : null;
        if (!StartsWithDate(span)) return null;
        return DateTimeOffset.TryParse(span, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;
    }

    /// <summary>YYYY-MM-DD, alone or followed by T or a space and the time of day.</summary>
    private static bool StartsWithDate(ReadOnlySpan<char> s) =>
        s.Length >= 10 && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && char.IsAsciiDigit(s[3])
        && s[4] == '-' && char.IsAsciiDigit(s[5]) && char.IsAsciiDigit(s[6]) && s[7] == '-' && char.IsAsciiDigit(s[8]) && char.IsAsciiDigit(s[9])
        && (s.Length == 10 || s[10] is 'T' or 't' or ' ');

    private static DateTimeOffset? FromEpoch(decimal n)
    {
        if (n <= 0) return null;
        var seconds = n < 1e11m ? n : n < 1e14m ? n / 1e3m : n < 1e17m ? n / 1e6m : n / 1e9m;
        if (seconds < 1e9m || seconds > 253402300799m) return null; // before 2001-09-09, or after 9999-12-31
        var ticks = (long)Math.Round(seconds * TimeSpan.TicksPerSecond);
        return DateTimeOffset.UnixEpoch.AddTicks(ticks);
    }

    private static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }
}
