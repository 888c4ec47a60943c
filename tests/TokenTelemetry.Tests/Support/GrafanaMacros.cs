using System.Globalization;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Expands panel SQL the way Grafana's Postgres datasource does, for the macros and variables the kit uses:
/// $__timeFilter(col) → col BETWEEN from AND to; $__timeFrom() / $__timeTo() → the quoted instants;
/// $__timeGroupAlias(col, interval) → floor(extract(epoch from col)/s)*s AS "time" (as a timestamptz, like Grafana's time
/// column); $__interval → a duration and $__interval_ms → its milliseconds; $var → the quoted, comma-joined values of a
/// multi-value variable ("All" = every value). <see cref="Interval"/> picks $__interval as Grafana does for a range and
/// a panel's max data points.
/// </summary>
public static partial class GrafanaMacros
{
    public static string Expand(string sql, DateTimeOffset from, DateTimeOffset to, string interval, IReadOnlyDictionary<string, IReadOnlyList<string>> variables)
    {
        static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        sql = TimeFilter().Replace(sql, m => $"{m.Groups[1].Value.Trim()} BETWEEN '{Instant(from)}' AND '{Instant(to)}'");
        sql = sql.Replace("$__timeFrom()", $"'{Instant(from)}'", StringComparison.Ordinal).Replace("$__timeTo()", $"'{Instant(to)}'", StringComparison.Ordinal);
        sql = TimeGroup().Replace(sql, m =>
        {
            var seconds = Seconds(m.Groups[2].Value.Trim().Trim('\'') == "$__interval" ? interval : m.Groups[2].Value.Trim().Trim('\''));
            return $"to_timestamp(floor(extract(epoch FROM {m.Groups[1].Value.Trim()}) / {seconds}) * {seconds}) AS \"time\"";
        });
        sql = sql.Replace("$__interval_ms", (Seconds(interval) * 1000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        sql = sql.Replace("$__interval", $"'{interval}'", StringComparison.Ordinal);
        foreach (var (name, values) in variables.OrderByDescending(v => v.Key.Length))
            sql = sql.Replace("$" + name, string.Join(",", values.Select(v => $"'{v.Replace("'", "''", StringComparison.Ordinal)}'")), StringComparison.Ordinal);
        if (sql.Contains("$__", StringComparison.Ordinal)) throw new InvalidOperationException($"unexpanded macro in: {sql}");
        return sql;
    }

    /// <summary>$__interval for a range drawn with <paramref name="maxDataPoints"/> points: the range divided by them,
    /// rounded to Grafana's steps (rangeutil roundInterval), as "1h", "1d", "7d", …</summary>
    public static string Interval(DateTimeOffset from, DateTimeOffset to, int maxDataPoints)
    {
        var ms = (to - from).TotalMilliseconds / maxDataPoints;
        (double Below, long Ms)[] steps =
        [
            (1_500, 1_000), (3_500, 2_000), (7_500, 5_000), (12_500, 10_000), (17_500, 15_000), (25_000, 20_000), (45_000, 30_000),
            (90_000, 60_000), (210_000, 120_000), (450_000, 300_000), (750_000, 600_000), (1_050_000, 900_000), (1_500_000, 1_200_000),
            (2_700_000, 1_800_000), (5_400_000, 3_600_000), (9_000_000, 7_200_000), (16_200_000, 10_800_000), (32_400_000, 21_600_000),
            (86_400_000, 43_200_000), (604_800_000, 86_400_000), (1_814_400_000, 604_800_000), (3_628_800_000, 2_592_000_000),
        ];
        var rounded = steps.FirstOrDefault(s => ms < s.Below).Ms is var r and > 0 ? r : 31_536_000_000;
        return rounded % 86_400_000 == 0 ? $"{rounded / 86_400_000}d" : rounded % 3_600_000 == 0 ? $"{rounded / 3_600_000}h"
            : rounded % 60_000 == 0 ? $"{rounded / 60_000}m" : $"{rounded / 1000}s";
    }

    private static long Seconds(string interval)
    {
        var n = long.Parse(interval[..^1], CultureInfo.InvariantCulture);
        return interval[^1] switch { 's' => n, 'm' => n * 60, 'h' => n * 3600, 'd' => n * 86400, _ => throw new FormatException(interval) };
    }

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"\$__timeGroupAlias\(([^,]+),([^)]+)\)")]
    private static partial Regex TimeGroup();
}
