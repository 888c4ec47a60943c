using System.Globalization;
using System.Text;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The litellm source against a real Prometheus holding 3 days of generated LiteLLM counters: two pods of one
/// model and user (one restarts mid-window), a series born mid-range, sparse cache counters, a quiet hour. The
/// generator books every increment it makes; the rows must equal that book, window by window.
/// </summary>
public sealed class LiteLlmSourceTests(PrometheusFixture shared) : IClassFixture<PrometheusFixture>
{
    private static readonly DateTimeOffset Start = WindowGrid.Floor(DateTimeOffset.UtcNow, Granularity.Hour).AddHours(-73);
    private static readonly DateTimeOffset End = Start.AddHours(72);
    private static readonly DateTimeOffset Restart = Start.AddHours(10).AddMinutes(30);
    private static readonly DateTimeOffset Born = Start.AddHours(30).AddMinutes(15);
    private static readonly DateTimeOffset CacheBorn = Start.AddHours(20).AddMinutes(5);
    private static readonly DateTimeOffset Quiet = Start.AddHours(40);

    /// <summary>window → (model, user) → column → expected increments.</summary>
    private sealed class Book
    {
        public Dictionary<(DateTimeOffset, string, string), Dictionary<string, long>> Windows { get; } = [];
        public Dictionary<string, long> Totals { get; } = [];

        public void Add(DateTimeOffset t, string model, string user, string column, long delta)
        {
            if (t < Start || t >= End || delta == 0) return;
            var key = (WindowGrid.Floor(t, Granularity.Hour), model, user);
            if (!Windows.TryGetValue(key, out var columns)) Windows[key] = columns = [];
            columns[column] = columns.GetValueOrDefault(column) + delta;
            Totals[column] = Totals.GetValueOrDefault(column) + delta;
        }
    }

    private static (string OpenMetrics, Book Book) Generate()
    {
        var book = new Book();
        var families = new Dictionary<string, StringBuilder>();
        void Series(string family, string column, string model, string user, string pod, DateTimeOffset from, long first, long step, long? resetTo = null)
        {
            if (!families.TryGetValue(family, out var sb)) families[family] = sb = new StringBuilder($"# TYPE {family} counter\n");
            var labels = $"{{api_provider=\"openai\",end_user=\"{user}\",instance=\"{pod}\",model=\"{model}\",team=\"ml\"}}";
            long value = 0;
            var started = false;
            for (var t = from; t < End.AddMinutes(5); t = t.AddMinutes(5))
            {
                long delta;
                if (!started) { value = first; delta = first; started = true; }
                else if (resetTo is { } r && t == Restart) { value = r; delta = r; }
                else { delta = t >= Quiet && t < Quiet.AddHours(1) ? 0 : step; value += delta; }
                // The first sample before the range is only a baseline; one born in range counts whole.
                if (t >= Start && !(t == from && from < Start)) book.Add(t, model, user, column, delta);
                sb.Append(CultureInfo.InvariantCulture, $"{family}_total{labels} {value} {t.ToUnixTimeSeconds()}\n");
            }
        }
        var baseline = Start.AddHours(-1);
        Series("litellm_input_tokens_metric", "input", "gpt-4o", "alice", "pod-a", baseline, 5000, 100);
        Series("litellm_input_tokens_metric", "input", "gpt-4o", "alice", "pod-b", baseline, 3000, 50, resetTo: 20);
        Series("litellm_input_tokens_metric", "input", "gpt-4o-mini", "bob", "pod-c", Born, 300, 10);
        Series("litellm_output_tokens_metric", "output", "gpt-4o", "alice", "pod-a", baseline, 900, 10);
        Series("litellm_output_tokens_metric", "output", "gpt-4o", "alice", "pod-b", baseline, 400, 5, resetTo: 2);
        Series("litellm_output_tokens_metric", "output", "gpt-4o-mini", "bob", "pod-c", Born, 30, 1);
        Series("litellm_input_cached_tokens_metric", "cached_read", "gpt-4o", "alice", "pod-a", CacheBorn, 60, 60);
        Series("litellm_requests_metric", "requests", "gpt-4o", "alice", "pod-a", baseline, 70, 1);
        Series("litellm_requests_metric", "requests", "gpt-4o", "alice", "pod-b", baseline, 30, 1, resetTo: 1);
        Series("litellm_requests_metric", "requests", "gpt-4o-mini", "bob", "pod-c", Born, 3, 1);
        return (string.Concat(families.Values.Select(f => f.ToString())) + "# EOF\n", book);
    }

    private static InstanceConfig Config(string url) => new()
    {
        Sources = new SourcesConfig { Litellm = new LiteLlmSourceConfig { Enabled = true, BaseUrl = url, UserLabel = "end_user", ProjectLabel = "team" } },
    };

    [Fact]
    public async Task Three_days_of_counters_become_exact_window_deltas_in_one_query_per_metric()
    {
        var (openMetrics, book) = Generate();
        var prometheus = await shared.StartOnceAsync(openMetrics);
        var harness = await EngineHarness.CreateAsync();
        var config = Config(prometheus.BaseUrl);
        using var source = new LiteLlmSource(config.Sources.Litellm!, harness.Context(config));
        await Task.Delay(2500);
        var queriesBefore = await prometheus.QueryCountAsync();

        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Start, End))).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        await Task.Delay(2500);
        // 6 metrics + the retention probe, plus the counting query before this one
        (await prometheus.QueryCountAsync() - queriesBefore).ShouldBe(LiteLlmSource.Metrics.Length + 1 + 1);

        var rows = await harness.RowsAsync("litellm");
        rows.Count.ShouldBe(book.Windows.Count);
        foreach (var row in rows)
        {
            var expected = book.Windows[(row.WindowStart, row.ModelId, row.UserId!)];
            row.InputTokens.ShouldBe(expected.GetValueOrDefault("input"));
            row.OutputTokens.ShouldBe(expected.GetValueOrDefault("output"));
            row.CachedReadTokens.ShouldBe(expected.GetValueOrDefault("cached_read")); // 0 before the cache series was born: the family exists
            row.RequestCount.ShouldBe(expected.GetValueOrDefault("requests"));
            row.CachedWriteTokens.ShouldBeNull(); // no cache-creation family at all: not reported
            row.ReasoningTokens.ShouldBeNull();
            row.ProjectId.ShouldBe("ml");
            row.Provider.ShouldBe("openai");
            row.MeasurementBasis.ShouldBe(MeasurementBasis.Exact);
        }
        // The window of the restart: pod-a 12 × 100, pod-b 11 × 50 plus the 20 counted since its restart.
        rows.Single(r => r.WindowStart == Start.AddHours(10) && r.ModelId == "gpt-4o").InputTokens.ShouldBe(1770);
        // The series born at +30h15m counts its first value: 300, then 8 more samples of 10 in that hour.
        rows.Single(r => r.WindowStart == Start.AddHours(30) && r.ModelId == "gpt-4o-mini").InputTokens.ShouldBe(380);
        rows.ShouldNotContain(r => r.WindowStart == Quiet);
        rows.Sum(r => r.InputTokens!.Value).ShouldBe(book.Totals["input"]);
        rows.Sum(r => r.OutputTokens!.Value).ShouldBe(book.Totals["output"]);
        rows.Sum(r => r.CachedReadTokens!.Value).ShouldBe(book.Totals["cached_read"]);
        rows.Sum(r => r.RequestCount!.Value).ShouldBe(book.Totals["requests"]);

        // A second run over the same range changes nothing but updated_at.
        (await harness.RunAsync(config, [source], new CollectionRange(Start, End))).ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        (await harness.RowsAsync("litellm")).ShouldBe(rows);
    }

    [Fact]
    public async Task A_range_older_than_retention_is_clamped_with_a_warning_naming_the_lost_span()
    {
        var (openMetrics, book) = Generate();
        var prometheus = await shared.StartOnceAsync(openMetrics);
        var harness = await EngineHarness.CreateAsync();
        var config = Config(prometheus.BaseUrl);
        using var source = new LiteLlmSource(config.Sources.Litellm!, harness.Context(config));

        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Start.AddDays(-10), End))).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Ok);
        harness.Warnings.Where(w => w.StartsWith("litellm:", StringComparison.Ordinal)).ShouldNotBeEmpty(string.Join(" | ", harness.Warnings));
        harness.Warnings.ShouldContain(w => w.StartsWith($"litellm: Prometheus keeps samples only from {Start.AddHours(-1):u}: {Start.AddDays(-10):u} to {Start:u} can no longer be collected", StringComparison.Ordinal));
        (await harness.RowsAsync("litellm")).Sum(r => r.InputTokens!.Value).ShouldBe(book.Totals["input"]);
    }

    [Fact]
    public async Task A_prometheus_that_refuses_to_load_that_many_samples_is_asked_in_chunks_with_the_same_result()
    {
        var (openMetrics, book) = Generate();
        // 3 days of 5-minute samples are 877 per series: each metric must be split into ranges of at most 400.
        using var prometheus = await PrometheusServer.StartAsync(openMetrics, "--query.max-samples=400");
        var harness = await EngineHarness.CreateAsync();
        var config = Config(prometheus.BaseUrl);
        using var source = new LiteLlmSource(config.Sources.Litellm!, harness.Context(config));

        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Start, End))).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        var rows = await harness.RowsAsync("litellm");
        rows.Count.ShouldBe(book.Windows.Count);
        rows.Sum(r => r.InputTokens!.Value).ShouldBe(book.Totals["input"]);
        rows.Sum(r => r.RequestCount!.Value).ShouldBe(book.Totals["requests"]);
    }

    [Fact]
    public async Task Prometheus_down_fails_litellm_alone()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = Config("http://127.0.0.1:1") with
        {
            Sources = Config("http://127.0.0.1:1").Sources with { Subscriptions = new SubscriptionsSourceConfig { Enabled = true, Plans = [new SubscriptionPlanConfig { Name = "T", Provider = "x", MonthlyUsd = 1 }] } },
        };
        using var source = new LiteLlmSource(config.Sources.Litellm!, harness.Context(config));
        var outcomes = await harness.RunAsync(config, [source, new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)], new CollectionRange(Start, End));
        outcomes[0].Status.ShouldBe(SourceStatus.Failed);
        outcomes[0].Message.ShouldStartWith("GET http://127.0.0.1:1/api/v1/query failed after retries: Connection refused");
        outcomes[1].Status.ShouldBe(SourceStatus.Ok);
    }
}
