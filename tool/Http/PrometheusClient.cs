using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TokenTelemetry.Http;

/// <summary>
/// The Prometheus HTTP API as the sources need it (/api/v1/query): every raw sample of a metric over a range in one
/// instant query with a range selector, and the oldest sample the server still holds. Failures are
/// <see cref="SourceException"/>s naming <paramref name="configHint"/>, the settings to check.
/// </summary>
public sealed class PrometheusClient(SourceHttp http, string baseUrl, string configHint)
{
    /// <summary>
    /// Every raw sample of <paramref name="selector"/> in (from, to], in one query — split in halves only when Prometheus
    /// refuses to run it (422: an execution limit such as --query.max-samples), then stitched back together per series.
    /// </summary>
    public async Task<List<PrometheusSeries>> RangeAsync(string selector, DateTimeOffset from, DateTimeOffset to, CancellationToken ct, int depth = 0)
    {
        var seconds = (long)Math.Ceiling((to - from).TotalSeconds);
        try
        {
            using var document = await QueryAsync($"{selector}[{seconds}s]", to, ct);
            var series = new List<PrometheusSeries>();
            foreach (var item in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                var samples = item.GetProperty("values").EnumerateArray()
                    .Select(v => (v[0].GetDouble(), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
                series.Add(new PrometheusSeries(labels, samples));
            }
            return series;
        }
        // A half that fails again throws out of this handler before the other half is asked: a refusal that is not about
        // size costs at most 17 queries, never 2^16.
        catch (SourceException e) when (e.HttpStatus == HttpStatusCode.UnprocessableEntity && depth < 16 && seconds > 60)
        {
            var middle = from + TimeSpan.FromSeconds(seconds / 2);
            var older = await RangeAsync(selector, from, middle, ct, depth + 1);
            var newer = await RangeAsync(selector, middle, to, ct, depth + 1);
            return older.Concat(newer)
                .GroupBy(s => string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))
                .Select(g => new PrometheusSeries(g.First().Labels, g.SelectMany(s => s.Samples).OrderBy(x => x.Time).ToList()))
                .ToList();
        }
    }

    /// <summary>The oldest sample Prometheus still holds (its own prometheus_tsdb_lowest_timestamp_seconds), if it says.</summary>
    /// <remarks>Asked at Prometheus's now: the gauge has samples only since Prometheus last started.</remarks>
    public async Task<DateTimeOffset?> LowestTimestampAsync(CancellationToken ct)
    {
        using var document = await QueryAsync("min(prometheus_tsdb_lowest_timestamp_seconds)", null, ct);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return null;
        var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        return value > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value * 1000)) : null;
    }

    private async Task<JsonDocument> QueryAsync(string query, DateTimeOffset? at, CancellationToken ct)
    {
        var time = at is { } t ? "&time=" + (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) : "";
        var document = await http.GetJsonAsync($"{baseUrl}/api/v1/query?query={Uri.EscapeDataString(query)}{time}", ct);
        var root = document.RootElement;
        if (root.TryGetProperty("status", out var status) && status.GetString() == "success" && root.TryGetProperty("data", out _)) return document;
        var error = root.TryGetProperty("error", out var e) ? e.GetString() : "no status";
        document.Dispose();
        throw new SourceException($"Prometheus refused the query ({error}) — check {configHint}");
    }
}
