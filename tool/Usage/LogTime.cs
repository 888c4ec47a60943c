using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Usage;

/// <summary>
/// Reads a call's time from a payload or log-envelope field: ISO 8601 with a date (a zone-less time is UTC; a space
/// may stand for the T), or a Unix epoch number — seconds, milliseconds, microseconds or nanoseconds, told apart by
/// magnitude (below 10^11 seconds, below 10^14 milliseconds, …), also when written as a string of digits. A time
/// without a date ("13:00:00") is not a time: DateTimeOffset.Parse would silently give it today's date.
/// </summary>
public static partial class LogTime
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$")]
    private static partial Regex Iso8601();

    /// <summary>The time a field holds; null when absent or JSON null; <see cref="UsageFormatException"/> when present
    /// but not a date and time.</summary>
    public static DateTimeOffset? Read(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return Parse(value) ?? throw new UsageFormatException($"{name} {Describe(value)} is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)");
    }

    /// <summary>The time a value holds, or null when it is not one.</summary>
    public static DateTimeOffset? Parse(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDecimal(out var n) ? FromEpoch(n) : null,
        JsonValueKind.String => Parse(value.GetString()!),
        _ => null,
    };

    public static DateTimeOffset? Parse(string text)
    {
        text = text.Trim();
        if (text.Length > 0 && text.Length <= 20 && text.All(char.IsAsciiDigit))
            return decimal.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? FromEpoch(n) : null;
        if (!Iso8601().IsMatch(text)) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;
    }

    private static DateTimeOffset? FromEpoch(decimal n)
    {
        if (n <= 0) return null;
        var seconds = n < 1e11m ? n : n < 1e14m ? n / 1e3m : n < 1e17m ? n / 1e6m : n / 1e9m;
        if (seconds > 253402300799m) return null; // after 9999-12-31
        var ticks = (long)Math.Round(seconds * TimeSpan.TicksPerSecond);
        return DateTimeOffset.UnixEpoch.AddTicks(ticks);
    }

    private static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }
}
