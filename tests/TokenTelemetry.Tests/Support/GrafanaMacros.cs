using System.Globalization;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Expands panel SQL the way Grafana's Postgres datasource does, for the macros and variables the kit uses:
/// $__timeFilter(col) → col BETWEEN from AND to; $__timeGroupAlias(col, interval) → floor(extract(epoch from col)/s)*s
/// AS "time" (as a timestamptz, like Grafana's time column); $__interval → a duration; $var → the quoted, comma-joined
/// values of a multi-value variable ("All" = every value).
/// </summary>
public static partial class GrafanaMacros
{
    public static string Expand(string sql, DateTimeOffset from, DateTimeOffset to, string interval, IReadOnlyDictionary<string, IReadOnlyList<string>> variables)
    {
        string Lit(DateTimeOffset t) => $"'{t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}'::timestamptz";
        sql = TimeFilter().Replace(sql, m => $"{m.Groups[1].Value.Trim()} BETWEEN {Lit(from)} AND {Lit(to)}");
        sql = TimeGroup().Replace(sql, m =>
        {
            var seconds = Seconds(m.Groups[2].Value.Trim().Trim('\'') == "$__interval" ? interval : m.Groups[2].Value.Trim().Trim('\''));
            return $"to_timestamp(floor(extract(epoch FROM {m.Groups[1].Value.Trim()}) / {seconds}) * {seconds}) AS \"time\"";
        });
        sql = sql.Replace("$__interval", $"'{interval}'", StringComparison.Ordinal);
        foreach (var (name, values) in variables.OrderByDescending(v => v.Key.Length))
            sql = sql.Replace("$" + name, string.Join(",", values.Select(v => $"'{v.Replace("'", "''", StringComparison.Ordinal)}'")), StringComparison.Ordinal);
        if (sql.Contains("$__", StringComparison.Ordinal)) throw new InvalidOperationException($"unexpanded macro in: {sql}");
        return sql;
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
