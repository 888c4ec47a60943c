using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Runs the rendered dashboards the way Grafana loads them: per dashboard its five variables in order (each seeing the
/// ones before it at All, as Grafana resolves them), then every panel, macros expanded (GrafanaMacros, the tests'
/// expansion) with $__interval from the panel's max data points. One untimed pass per range warms the cache; five timed
/// passes give each query's p50 / p95 / max and the range's over all of its queries.
/// </summary>
public sealed class DashboardQueries(NpgsqlConnection connection, SchemaName schema)
{
    private static readonly (string Name, TimeSpan Span, double TargetMs)[] Ranges =
        [("24 h", TimeSpan.FromHours(24), 50), ("7 d", TimeSpan.FromDays(7), double.NaN), ("30 d", TimeSpan.FromDays(30), 100), ("365 d", TimeSpan.FromDays(365), 100)];

    public const int Passes = 5;

    public async Task RunAsync(DateTimeOffset now)
    {
        var (dashboards, variables) = GrafanaKit.Definitions(schema.Name);
        Console.WriteLine($"queries: {dashboards.Count} dashboards × {variables.Count} variables + {dashboards.Sum(d => d.Panels.Count)} panels " +
                          $"= {dashboards.Count * variables.Count + dashboards.Sum(d => d.Panels.Count)} per load; now = {now:u}; {Passes} timed passes after 1 warm-up");
        foreach (var (name, span, target) in Ranges)
        {
            var (from, to) = (now - span, now);
            var times = new Dictionary<string, List<double>>();
            for (var pass = 0; pass <= Passes; pass++)
                foreach (var dashboard in dashboards)
                {
                    var values = new Dictionary<string, IReadOnlyList<string>>();
                    foreach (var v in variables)
                        values[v.Name] = (await TimeAsync(times, pass, $"variable {v.Name}", GrafanaMacros.Expand(v.Sql, from, to, "1h", values)))
                            .Select(r => ((IDictionary<string, object?>)r).Values.Single()?.ToString() ?? "").ToList();
                    foreach (var p in dashboard.Panels)
                    {
                        var interval = GrafanaMacros.Interval(from, to, p.MaxDataPoints > 0 ? p.MaxDataPoints : 1000);
                        await TimeAsync(times, pass, $"{dashboard.Uid}/{p.Title}", GrafanaMacros.Expand(p.Sql, from, to, interval, values));
                    }
                }
            Print(name, target, times, GrafanaMacros.Interval(from, to, 25));
        }
    }

    private async Task<List<dynamic>> TimeAsync(Dictionary<string, List<double>> times, int pass, string name, string sql)
    {
        var watch = Stopwatch.StartNew();
        var rows = (await connection.QueryAsync(new CommandDefinition(sql, commandTimeout: 600))).ToList();
        if (pass > 0) (times.TryGetValue(name, out var list) ? list : times[name] = []).Add(watch.Elapsed.TotalMilliseconds);
        return rows;
    }

    private static void Print(string range, double target, Dictionary<string, List<double>> times, string interval)
    {
        var all = times.Values.SelectMany(t => t).ToList();
        var over = double.IsNaN(target) ? [] : times.Where(t => Percentile(t.Value, 95) > target).Select(t => t.Key).ToList();
        Console.WriteLine();
        Console.WriteLine($"{range} ($__interval {interval} at 25 points): {all.Count} query runs, p50 {Percentile(all, 50):F1} ms, p95 {Percentile(all, 95):F1} ms, " +
                          $"max {all.Max():F1} ms" + (double.IsNaN(target) ? " (no target)" : $"; target p95 ≤ {target:F0} ms per query: {(over.Count == 0 ? "met by every query" : $"missed by {over.Count}")}"));
        Console.WriteLine($"  {"query",-70}{"p50",9}{"p95",9}{"max",9}");
        foreach (var (name, t) in times.OrderByDescending(t => Percentile(t.Value, 95)))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(name.Length > 68 ? name[..68] : name),-70}{Percentile(t, 50),9:F1}{Percentile(t, 95),9:F1}{t.Max(),9:F1}{(over.Contains(name) ? "  over" : "")}"));
    }

    /// <summary>Nearest rank: of 5 runs, p50 is the 3rd fastest and p95 the slowest.</summary>
    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
