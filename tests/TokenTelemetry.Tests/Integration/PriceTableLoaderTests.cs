using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The url → cache → stale cache → bundled chain against a real HTTP server on 127.0.0.1.</summary>
public sealed class PriceTableLoaderTests : IDisposable
{
    private const string SmallTable = """{"sample_spec":{"input_cost_per_token":0},"tiny-model":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06,"litellm_provider":"openai","mode":"chat"}}""";
    private readonly TempDirectory _cache = new();
    private readonly List<string> _warnings = [];

    public void Dispose() => _cache.Dispose();

    private PriceTableLoader Loader(string url, int cacheHours = 24, int deadlineSeconds = 5) =>
        new(new PricingConfig { Source = "url", Url = url, CacheHours = cacheHours }, TimeSpan.FromSeconds(deadlineSeconds), _warnings.Add, _cache.Path);

    private void StaleCache(string content)
    {
        var path = Path.Combine(_cache.Path, "litellm_model_prices.json");
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-48));
    }

    [Fact]
    public async Task A_fresh_download_is_used_and_cached_so_the_next_load_does_not_ask_again()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 200, SmallTable));
        var first = await Loader(server.BaseUrl).LoadAsync(CancellationToken.None);
        first.Source.ShouldBe($"{server.BaseUrl} (fetched now)");
        first.Get("tiny-model")!.Base.Output.ShouldBe(0.000002m);
        first.Get("sample_spec").ShouldBeNull();

        var second = await Loader(server.BaseUrl).LoadAsync(CancellationToken.None);
        second.Source.ShouldStartWith($"the cached copy of {server.BaseUrl}");
        server.Requests.ShouldBe(1);
        _warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failing_url_falls_back_to_the_stale_cache_and_says_so()
    {
        StaleCache(SmallTable);
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 500, "oops"));
        var table = await Loader(server.BaseUrl).LoadAsync(CancellationToken.None);
        table.Source.ShouldBe($"the stale cached copy of {server.BaseUrl} (48 h old)");
        table.Count.ShouldBe(1);
        _warnings.ShouldBe([$"price table: {server.BaseUrl} failed (HTTP 500 from {server.BaseUrl}); using the stale cached copy (48 h old)"]);
    }

    [Fact]
    public async Task A_url_written_with_a_password_is_shown_without_it()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 500, "oops"));
        var withPassword = server.BaseUrl.Replace("http://", "http://prices:pw-Pr1ces-77@", StringComparison.Ordinal);
        var table = await Loader(withPassword).LoadAsync(CancellationToken.None);
        table.Source.ShouldStartWith("the bundled LiteLLM snapshot");
        _warnings.ShouldBe([$"price table: {server.BaseUrl} failed (HTTP 500 from {server.BaseUrl}) and nothing is cached; using {table.Source}"]);
    }

    [Fact]
    public async Task A_hanging_url_is_cut_at_the_deadline_and_the_bundled_table_is_used_without_a_cache()
    {
        using var server = new FixtureHttpServer(async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            await FixtureHttpServer.Respond(c, 200, SmallTable);
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var table = await Loader(server.BaseUrl, deadlineSeconds: 1).LoadAsync(CancellationToken.None);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        table.Source.ShouldBe(PriceTableLoader.BundledDescription);
        table.Count.ShouldBeGreaterThan(2000);
        _warnings.ShouldBe([$"price table: {server.BaseUrl} failed (no answer from {server.BaseUrl} within 1 s) and nothing is cached; using the bundled LiteLLM snapshot of 2026-08-01"]);
    }

    [Fact]
    public async Task A_download_that_is_not_a_price_table_does_not_replace_a_good_cache()
    {
        StaleCache(SmallTable);
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 200, """{"hello": "world"}"""));
        var table = await Loader(server.BaseUrl).LoadAsync(CancellationToken.None);
        table.Source.ShouldStartWith("the stale cached copy");
        File.ReadAllText(Path.Combine(_cache.Path, "litellm_model_prices.json")).ShouldBe(SmallTable);
    }

    [Fact]
    public async Task The_bundled_table_needs_no_network_and_config_overrides_win()
    {
        var config = new PricingConfig
        {
            Overrides = new()
            {
                ["gpt-4o"] = [new PriceOverrideConfig { InputCostPerToken = 0.000001m }],
                ["my-finetune"] = [new PriceOverrideConfig { InputCostPerToken = 0.000004m, OutputCostPerToken = 0.000008m, InputCostPerTokenBatches = 0.000002m, OutputCostPerTokenBatches = 0.000004m }],
            },
        };
        var table = await new PriceTableLoader(config, TimeSpan.FromSeconds(1), _warnings.Add, _cache.Path).LoadAsync(CancellationToken.None);
        table.Source.ShouldBe("the bundled LiteLLM snapshot of 2026-08-01 with config overrides");
        var gpt4o = table.Get("gpt-4o")!;
        gpt4o.Base.Input.ShouldBe(0.000001m);
        gpt4o.Base.Output.ShouldBe(0.00001m); // the table's, untouched
        gpt4o.Overridden.ShouldBeTrue();
        (gpt4o.BatchInput, gpt4o.BatchOutput).ShouldBe((0.00000125m, 0.000005m)); // batch rates not overridden stay the table's
        // 1000*4e-6 + 500*8e-6 = 0.004 + 0.004
        new UsagePricer(table).Price(new Usage.UsageTelemetry { Model = "my-finetune", InputTokens = 1000, OutputTokens = 500 }).CostUsd.ShouldBe(0.008m);
        // batch: 1000*2e-6 + 500*4e-6 = 0.002 + 0.002
        new UsagePricer(table).PriceBatch(new Usage.UsageTelemetry { Model = "my-finetune", InputTokens = 1000, OutputTokens = 500 }).CostUsd.ShouldBe(0.004m);
        Directory.GetFiles(_cache.Path).ShouldBeEmpty();
    }

    [Fact]
    public void The_bundled_table_loads_every_priced_entry()
    {
        var table = PriceTableLoader.Bundled();
        // 2,985 entries, of which 2,522 carry input_cost_per_token or output_cost_per_token (counted independently
        // with a script over the JSON); the rest (images, per-second audio, …) and sample_spec are skipped.
        table.Count.ShouldBe(2522);
        table.Get("claude-sonnet-4-5")!.Tiers.ShouldHaveSingleItem().AboveTokens.ShouldBe(200_000);
        table.Get("gpt-5.4")!.Tiers.Single().AboveTokens.ShouldBe(272_000);
        table.Get("deepseek/deepseek-chat")!.LegacyCacheHit.ShouldBe(0.000000028m);
    }
}
