using System.Globalization;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>Durations as written in config and on the command line: 90s, 15m, 1h, 2d (one unit).</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(\d+)(s|m|h|d)$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        var unit = match.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        if (n > TimeSpan.MaxValue.Ticks / unit.Ticks) return false; // longer than TimeSpan holds: not a duration, not a crash
        value = TimeSpan.FromTicks(n * unit.Ticks);
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays % 1 == 0 ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.TotalHours % 1 == 0 ? $"{value.TotalHours:0}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes % 1 == 0 ? $"{value.TotalMinutes:0}m"
        : $"{value.TotalSeconds:0}s";
}
