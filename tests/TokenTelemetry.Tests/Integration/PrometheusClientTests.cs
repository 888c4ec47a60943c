using System.Globalization;
using System.Net;
using Shouldly;
using TokenTelemetry.Http;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The Prometheus client against a real server on 127.0.0.1: a refusal is recognised by its HTTP status (never
/// by its text), a range Prometheus refuses to load is split and stitched, and a refusal that splitting cannot cure
/// stops after one query per level.</summary>
public sealed class PrometheusClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly HttpOptions Fast = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    private const string Refusal = """{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}""";

    /// <summary>Answers a range selector `metric[Ns]` at `time` with one series holding one sample at that time; refuses
    /// (422) ranges longer than <paramref name="maxSeconds"/>.</summary>
    private static FixtureHttpServer Server(long maxSeconds) => new(c =>
    {
        var query = c.Request.QueryString["query"]!;
        var seconds = long.Parse(query[(query.IndexOf('[') + 1)..query.IndexOf("s]", StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var time = c.Request.QueryString["time"]!;
        return seconds > maxSeconds
            ? FixtureHttpServer.Respond(c, 422, Refusal)
            : FixtureHttpServer.Respond(c, 200, $$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"model":"m"},"values":[[{{{time}}},"{{{time}}}"]]}]}}""");
    });

    [Fact]
    public async Task A_refusal_carries_its_http_status()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 422, Refusal));
        using var http = new SourceHttp(Fast, "the Prometheus credentials", _ => { });
        var error = await Should.ThrowAsync<SourceException>(() => http.GetJsonAsync($"{server.BaseUrl}api/v1/query?query=up", CancellationToken.None));
        error.HttpStatus.ShouldBe(HttpStatusCode.UnprocessableEntity);
        error.Message.ShouldBe($"GET {server.BaseUrl}api/v1/query: HTTP 422 Unprocessable Entity (query processing would load too many samples into memory in query execution)");
        server.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task A_range_too_large_to_load_is_split_in_halves_and_stitched_per_series()
    {
        using var server = Server(maxSeconds: 3600);
        using var http = new SourceHttp(Fast, "the Prometheus credentials", _ => { });
        var client = new PrometheusClient(http, server.BaseUrl.TrimEnd('/'), "sources.litellm.base_url");
        var series = await client.RangeAsync("litellm_requests_metric_total", Start, Start.AddHours(4), CancellationToken.None);

        var one = series.ShouldHaveSingleItem();
        one.Labels["model"].ShouldBe("m");
        one.Samples.Select(s => s.Time).ShouldBe([.. Enumerable.Range(1, 4).Select(h => (double)Start.AddHours(h).ToUnixTimeSeconds())]);
        server.Requests.ShouldBe(7); // 4 h refused, 2 h refused, 1 h, 1 h, 2 h refused, 1 h, 1 h
    }

    [Fact]
    public async Task A_refusal_that_splitting_cannot_cure_costs_one_query_per_level()
    {
        using var server = Server(maxSeconds: 0);
        using var http = new SourceHttp(Fast, "the Prometheus credentials", _ => { });
        var client = new PrometheusClient(http, server.BaseUrl.TrimEnd('/'), "sources.litellm.base_url");
        var error = await Should.ThrowAsync<SourceException>(() => client.RangeAsync("litellm_requests_metric_total", Start, Start.AddDays(30), CancellationToken.None));
        error.HttpStatus.ShouldBe(HttpStatusCode.UnprocessableEntity);
        server.Requests.ShouldBe(17); // the whole range and 16 halvings of its older half, never 2^16 queries
    }
}
