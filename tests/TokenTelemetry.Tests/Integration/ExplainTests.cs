using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`pricing explain` reads a row's cost back bucket by bucket from the snapshot that priced it — its table entries
/// and rules as recorded — after the table in use has moved on.</summary>
public sealed class ExplainTests
{
    [Fact]
    public async Task A_row_is_explained_with_the_rates_that_priced_it_after_the_table_changed()
    {
        using var server = new FixtureHttpServer(async c =>
        {
            var file = c.Request.Url!.AbsolutePath == "/v1/organization/usage/completions" ? "openai-usage.json" : "openai-costs.json";
            await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path("reconcile", file)));
        });
        var harness = await EngineHarness.CreateAsync();
        harness.Clock.Now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var config = new InstanceConfig { Sources = new SourcesConfig { Openai = new OpenAiSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "k", BucketWidth = "1d" } } };
        var v1 = CostHarness.Pricer(EngineHarness.Table, """
            pricing:
              discounts:
                - {provider: openai, models: "gpt-4o*", percent: 20, from: 2026-11-15, buckets: [input, cache_read]}
            """);
        using var source = new OpenAiSource(config.Sources.Openai!, CostHarness.Context(harness, config, v1));
        var day = new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero);
        var outcome = (await CostHarness.CollectAsync(harness, config, v1, [source], new CollectionRange(day.AddDays(-1), day.AddDays(3)))).ShouldHaveSingleItem();
        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        await using var connection = await harness.OpenAsync();
        await new PriceSnapshotStore(harness.Schema).RecordAsync(connection, null, v1.Rules, CancellationToken.None);

        var row = (await new ProvenanceReader(harness.Schema).ReadAsync(connection, new ProvenanceReader.Filter(Model: "gpt-4o", At: day.AddHours(13)), CancellationToken.None)).ShouldHaveSingleItem();
        row.Pricing.ShouldBe(new PriceProvenance(v1.Rules.SnapshotId, "gpt-4o", "discount openai gpt-4o* 20% on input+cache_read from 2026-11-15", 3.25m));
        var snapshot = (await new PriceSnapshotStore(harness.Schema).LoadAsync(connection, row.Pricing!.Snapshot, [row.Pricing.Key], CancellationToken.None))!;
        snapshot.Entries.Select(e => e.Key).ShouldBe(["gpt-4o"]);
        var recorded = CostExplainer.FromSnapshot(snapshot);
        recorded.SnapshotId.ShouldBe(v1.Rules.SnapshotId); // the same table hash and rules: read back exactly

        // A later table doubles gpt-4o's input rate; the row is still explained with the rates that priced it.
        var v2 = CostHarness.Pricer(CostHarness.BundledWith("gpt-4o", "input_cost_per_token", 0.000005m));
        var then = CostExplainer.Breakdown(recorded, row)!;
        // uncached 800,000 × 2.5e-6 = 2.00 − 20 % = 1.60; cached 200,000 × 1.25e-6 = 0.25 − 20 % = 0.20; output 100,000 × 1e-5 = 1.00
        then.Lines.Select(l => (l.Bucket, l.Tokens, l.Rate, l.Cost, l.DiscountPercent, l.Net)).ShouldBe([
            ("input", 800_000L, 0.0000025m, 2m, 20m, 1.6m), ("cache_read", 200_000L, 0.00000125m, 0.25m, 20m, 0.2m), ("output", 100_000L, 0.00001m, 1m, 0m, 1m),
        ]);
        (then.ListTotal, then.Total, then.Rules).ShouldBe((3.25m, 2.8m, "discount openai gpt-4o* 20% on input+cache_read from 2026-11-15"));
        then.Total.ShouldBe(row.Row.CostUsd);
        // 800,000 × 5e-6 = 4.00 at the new list rate, no discount configured any more
        CostExplainer.Breakdown(v2.Rules, row)!.Total.ShouldBe(5.25m);
    }
}
