using System.Globalization;
using System.Text.Json;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Token totals per UTC day and model, and cost per day, as this tool stored them or as `ccusage … daily --json`
/// reported them, so that the agent-log benchmark can show both programs read the same calls. Input counts every
/// input token (this tool's input_tokens includes cache reads and writes; ccusage's inputTokens is the uncached part,
/// so its three columns are added).
/// </summary>
public sealed class DailyTotals
{
    public sealed record Cell(long Input, long CacheRead, long CacheWrite, long Output);

    public SortedDictionary<(string Day, string Model), Cell> Cells { get; } = new();
    public SortedDictionary<string, decimal> CostPerDay { get; } = new(StringComparer.Ordinal);
    public long? Calls { get; private init; }

    public long Input => Cells.Values.Sum(c => c.Input);
    public long CacheRead => Cells.Values.Sum(c => c.CacheRead);
    public long CacheWrite => Cells.Values.Sum(c => c.CacheWrite);
    public long Output => Cells.Values.Sum(c => c.Output);
    public decimal Cost => CostPerDay.Values.Sum();

    public static DailyTotals FromDatabase(IEnumerable<(string Day, string Model, long Calls, long Input, long CacheRead, long CacheWrite, long Output, decimal? Cost)> rows)
    {
        var list = rows.ToList();
        var totals = new DailyTotals { Calls = list.Sum(r => r.Calls) };
        foreach (var r in list)
        {
            totals.Cells[(r.Day, r.Model)] = new Cell(r.Input, r.CacheRead, r.CacheWrite, r.Output);
            totals.CostPerDay[r.Day] = totals.CostPerDay.GetValueOrDefault(r.Day) + (r.Cost ?? 0);
        }
        return totals;
    }

    /// <summary>ccusage 20's daily JSON: Claude days list <c>modelBreakdowns</c> and <c>totalCost</c>, Codex days a
    /// <c>models</c> object and <c>costUSD</c>.</summary>
    public static DailyTotals FromCcusage(string json)
    {
        var totals = new DailyTotals();
        using var document = JsonDocument.Parse(json);
        foreach (var day in document.RootElement.GetProperty("daily").EnumerateArray())
        {
            var date = day.GetProperty("date").GetString()!;
            var models = day.TryGetProperty("modelBreakdowns", out var list)
                ? list.EnumerateArray().Select(m => (m.GetProperty("modelName").GetString()!, m))
                : day.GetProperty("models").EnumerateObject().Select(p => (p.Name, p.Value));
            foreach (var (model, m) in models)
            {
                long Get(string name) => m.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
                totals.Cells[(date, model)] = new Cell(Get("inputTokens") + Get("cacheReadTokens") + Get("cacheCreationTokens"),
                    Get("cacheReadTokens"), Get("cacheCreationTokens"), Get("outputTokens"));
            }
            var cost = day.TryGetProperty("totalCost", out var c) ? c : day.GetProperty("costUSD");
            totals.CostPerDay[date] = cost.GetDecimal();
        }
        return totals;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Calls is { } n ? $"calls {n:N0}, " : "")}input {Input:N0} (cache read {CacheRead:N0}, write {CacheWrite:N0}), output {Output:N0}, cost {Cost:N2} USD");

    /// <summary>Where two readings differ (every (day, model) cell, and each day's cost to the cent); empty when they agree.</summary>
    public static List<string> Differences(DailyTotals ours, DailyTotals theirs)
    {
        var differences = new List<string>();
        if (theirs.Cells.Count == 0) differences.Add("ccusage found no usage at all (it read nothing: check the paths it was given)");
        foreach (var key in ours.Cells.Keys.Union(theirs.Cells.Keys).Order())
        {
            var a = ours.Cells.GetValueOrDefault(key);
            var b = theirs.Cells.GetValueOrDefault(key);
            if (a != b) differences.Add($"{key.Day} {key.Model}: this tool {a?.ToString() ?? "nothing"}, ccusage {b?.ToString() ?? "nothing"}");
        }
        foreach (var day in ours.CostPerDay.Keys.Union(theirs.CostPerDay.Keys).Order(StringComparer.Ordinal))
        {
            var a = Math.Round(ours.CostPerDay.GetValueOrDefault(day), 2);
            var b = Math.Round(theirs.CostPerDay.GetValueOrDefault(day), 2);
            if (a != b) differences.Add($"{day} cost: this tool {a} USD, ccusage {b} USD");
        }
        return differences;
    }
}
