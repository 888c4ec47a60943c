using System.Net;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The openai source and the engine against a real HTTP server replaying tests/fixtures/openai.</summary>
public sealed class OpenAiSourceTests
{
    private static readonly CollectionRange Range = new(new DateTimeOffset(2025, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 11, 20, 3, 0, 0, TimeSpan.Zero));

    private static string Fixture(string name) => File.ReadAllText(Fixtures.Path("openai", name));

    /// <summary>Replays the recorded pages; a handler may answer differently first (failures, throttling).</summary>
    private static Func<HttpListenerContext, Task> Replay(Func<HttpListenerContext, Task?>? first = null) => async c =>
    {
        if (first?.Invoke(c) is { } special) { await special; return; }
        c.Request.Headers["Authorization"].ShouldBe("Bearer sk-admin-test");
        var path = c.Request.Url!.AbsolutePath;
        var query = c.Request.QueryString;
        if (path == "/v1/organization/usage/completions")
        {
            query.GetValues("group_by").ShouldBe(["model", "project_id", "batch"]);
            await FixtureHttpServer.Respond(c, 200, Fixture(query["page"] == "page_2_cursor" ? "usage-page2.json" : "usage-page1.json"));
        }
        else if (path == "/v1/organization/costs") await FixtureHttpServer.Respond(c, 200, Fixture("costs.json"));
        else await FixtureHttpServer.Respond(c, 404, "{}");
    };

    private static InstanceConfig Config(string baseUrl) => new()
    {
        Sources = new SourcesConfig { Openai = new OpenAiSourceConfig { Enabled = true, BaseUrl = baseUrl, AdminKey = "sk-admin-test", BucketWidth = "1h" } },
    };

    private static async Task<(IReadOnlyList<SourceOutcome>, EngineHarness)> CollectAsync(FixtureHttpServer server, params ICollectionSource[] extra)
    {
        var harness = await EngineHarness.CreateAsync();
        var config = Config(server.BaseUrl);
        using var source = new OpenAiSource(config.Sources.Openai!, harness.Context(config));
        return (await harness.RunAsync(config, [source, .. extra], Range), harness);
    }

    [Fact]
    public async Task Collects_every_page_into_exact_rows_with_billed_costs()
    {
        using var server = new FixtureHttpServer(Replay());
        var (outcomes, harness) = await CollectAsync(server);

        outcomes.ShouldHaveSingleItem().ShouldBe(new SourceOutcome("openai", SourceStatus.Ok, "3 window(s), 4 row(s)", Range, 3, 4));
        var rows = await harness.RowsAsync("openai");
        rows.Select(r => (r.WindowStart.Hour, r.ModelId, r.ProjectId, r.InputTokens, r.CachedReadTokens, r.CachedWriteTokens, r.OutputTokens, r.RequestCount, r.CostUsd, r.CostBasis))
            .ShouldBe([
                // gpt-4o: 35000*2.5e-6 + 80000*1.25e-6 + 5000*2.5e-6 (no cache-write rate: input rate) + 9000*1e-5 = 0.0875+0.1+0.0125+0.09
                (0, "gpt-4o", "proj_a", 120000L, 80000L, 5000L, 9000L, 42L, 0.29m, CostBasis.Computed),
                // missing cache fields stay NULL: 1000*1.5e-7 + 100*6e-7 = 0.00015 + 0.00006
                (0, "gpt-4o-mini", "proj_b", 1000L, (long?)null, (long?)null, 100L, 3L, 0.00021m, CostBasis.Computed),
                (1, "gpt-4o", "proj_a", 2000L, 0L, 0L, 500L, 4L, 0.01m, CostBasis.Computed),
                // batch rates: 50000*1.25e-6 + 5000*5e-6 = 0.0625 + 0.025
                (1, "gpt-4o#batch", "proj_a", 50000L, 0L, 0L, 5000L, 100L, 0.0875m, CostBasis.Computed),
            ]);
        rows.ShouldAllBe(r => r.Granularity == Granularity.Hour && r.MeasurementBasis == MeasurementBasis.ProviderAggregate && r.ReasoningTokens == null);
        rows.Select(r => r.CacheSavingsUsd).ShouldBe([0.1m, null, 0m, null]); // 80000 * (2.5e-6 - 1.25e-6); NULL where cache reads are not reported and for batch rows
        // An explicit --from/--to range never moves the watermark (it could jump a gap).
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.rollup_watermark")).ShouldBe(0);
        (await harness.ScalarAsync<decimal>("SELECT sum(amount_usd) FROM telemetry.billed_cost WHERE source_system = 'openai'")).ShouldBe(1.62m);
        server.Requests.ShouldBe(3);
    }

    [Fact]
    public async Task Collecting_the_same_range_twice_leaves_identical_rows_and_totals()
    {
        using var server = new FixtureHttpServer(Replay());
        var harness = await EngineHarness.CreateAsync();
        var config = Config(server.BaseUrl);
        using var source = new OpenAiSource(config.Sources.Openai!, harness.Context(config));
        await harness.RunAsync(config, [source], Range);
        var first = await harness.RowsAsync();
        await harness.RunAsync(config, [source], Range);
        (await harness.RowsAsync()).ShouldBe(first);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.billed_cost")).ShouldBe(2);
    }

    [Fact]
    public async Task A_watermarked_run_collects_due_windows_and_a_second_run_has_nothing_new()
    {
        using var server = new FixtureHttpServer(Replay());
        var harness = await EngineHarness.CreateAsync();
        harness.Clock.Now = new DateTimeOffset(2025, 11, 20, 3, 10, 0, TimeSpan.Zero);
        var config = Config(server.BaseUrl) with { Scheduler = new SchedulerConfig { LagMinutes = 10, MaxBackfillHours = 3, LookbackDays = 0 } };
        using var source = new OpenAiSource(config.Sources.Openai!, harness.Context(config));

        var first = (await harness.RunAsync(config, [source])).ShouldHaveSingleItem();
        first.Range.ShouldBe(Range); // floor(now - lag) = 03:00, first run reaches max_backfill_hours back
        (await harness.ScalarAsync<DateTime>("SELECT last_processed_end FROM telemetry.rollup_watermark WHERE source_system = 'openai'"))
            .ShouldBe(new DateTime(2025, 11, 20, 3, 0, 0));

        var second = (await harness.RunAsync(config, [source])).ShouldHaveSingleItem();
        second.ShouldBe(new SourceOutcome("openai", SourceStatus.Ok, "nothing due yet"));
        server.Requests.ShouldBe(3);
    }

    [Fact]
    public async Task A_401_fails_openai_alone_with_the_credential_named_and_the_watchdog_says_so()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 401, """{"error":{"message":"invalid key"}}"""));
        var harness = await EngineHarness.CreateAsync();
        var config = Config(server.BaseUrl) with
        {
            Sources = Config(server.BaseUrl).Sources with
            {
                Subscriptions = new SubscriptionsSourceConfig { Enabled = true, Plans = [new SubscriptionPlanConfig { Name = "Team", Provider = "openai", MonthlyUsd = 25, Start = new DateOnly(2025, 11, 1) }] },
            },
        };
        using var openai = new OpenAiSource(config.Sources.Openai!, harness.Context(config));
        var subscriptions = new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock);

        var outcomes = await harness.RunAsync(config, [openai, subscriptions], Range);

        outcomes[0].Status.ShouldBe(SourceStatus.Failed);
        outcomes[0].Message.ShouldBe($"GET {server.BaseUrl}v1/organization/usage/completions: 401 Unauthorized — the OpenAI admin key (sources.openai.admin_key, OPENAI_ADMIN_KEY) is missing, wrong or revoked");
        outcomes[1].Status.ShouldBe(SourceStatus.Ok);
        (await harness.RowsAsync("subscriptions")).Sum(r => r.CostUsd).ShouldBe(16.66666666m); // Nov 1–20 (now): 20 days of $25 / 30
        var watchdog = (await harness.WatchdogAsync()).ToDictionary(r => r.SourceSystem);
        watchdog["openai"].Status.ShouldBe("error");
        watchdog["openai"].Message.ShouldBe(outcomes[0].Message);
        watchdog["openai"].LastPollAt.ShouldBeNull();
        watchdog["subscriptions"].Status.ShouldBe("ok");
        watchdog["__heartbeat__"].Status.ShouldBe("ok");
        watchdog["__heartbeat__"].Message.ShouldBe("collector cycle finished: 1 ok, 1 failed, 0 skipped; next due within 1h");
        watchdog["__heartbeat__"].ThresholdSeconds.ShouldBe(7200);
        server.Requests.ShouldBe(1); // 401 is not retried
        harness.Warnings.ShouldAllBe(w => !w.Contains("sk-admin-test"));
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_and_then_succeeds()
    {
        var throttled = 0;
        using var server = new FixtureHttpServer(Replay(c =>
        {
            if (Interlocked.Increment(ref throttled) > 1) return null;
            c.Response.Headers["Retry-After"] = "1";
            return FixtureHttpServer.Respond(c, 429, """{"error":"slow down"}""");
        }));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (outcomes, harness) = await CollectAsync(server);
        outcomes.ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        watch.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(0.9)); // Retry-After: 1 was honoured, not the 20 ms backoff
        (await harness.RowsAsync("openai")).Count.ShouldBe(4);
        server.Requests.ShouldBe(4);
    }

    [Fact]
    public async Task Repeated_500s_fail_after_bounded_retries()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 500, "boom"));
        var (outcomes, harness) = await CollectAsync(server);
        var outcome = outcomes.ShouldHaveSingleItem();
        outcome.Status.ShouldBe(SourceStatus.Failed);
        outcome.Message.ShouldEndWith("HTTP 500 Internal Server Error, still after retries — the provider is failing; it is retried next cycle");
        server.Requests.ShouldBe(3); // the first try and 2 retries
        (await harness.RowsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_response_that_hangs_past_the_deadline_fails_in_bounded_time()
    {
        using var server = new FixtureHttpServer(async c => { await Task.Delay(TimeSpan.FromSeconds(20)); await FixtureHttpServer.Respond(c, 200, "{}"); });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (outcomes, _) = await CollectAsync(server);
        outcomes.ShouldHaveSingleItem().Message.ShouldBe($"GET {server.BaseUrl}v1/organization/usage/completions did not answer within the deadline, after retries — raise scheduler.http_timeout_seconds or check the provider's status");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10)); // 3 attempts of 1 s plus short backoffs
    }

    [Fact]
    public async Task Malformed_json_fails_the_source_without_writing_anything()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 200, """{"object":"page","data":[{"start_time": 17"""));
        var (outcomes, harness) = await CollectAsync(server);
        outcomes.ShouldHaveSingleItem().Message.ShouldStartWith($"GET {server.BaseUrl}v1/organization/usage/completions returned malformed JSON (");
        (await harness.RowsAsync()).ShouldBeEmpty();
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.rollup_watermark")).ShouldBe(0);
    }
}
