using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>A collector's answer holding a row beyond what the tool stores (5e18 tokens, as a broken or hostile
/// endpoint can return) fails that source for the cycle and writes nothing of it — before, it was stored and then
/// broke `report` (a bigint overflow).</summary>
public sealed class CollectedRowBoundsTests
{
    private sealed class HugeSource : ICollectionSource
    {
        public string Name => "openai";
        public SourceCapabilities Capabilities { get; } = new() { Granularity = Granularity.Hour };

        public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct) => Task.FromResult(new SourceBatch
        {
            Rows =
            [
                Rows.Usage("openai", hour: 0) with { WindowStart = range.Start, WindowEnd = range.Start.AddHours(1), InputTokens = 10, CachedReadTokens = null },
                Rows.Usage("openai", "gpt-huge") with { WindowStart = range.Start, WindowEnd = range.Start.AddHours(1), InputTokens = 5_000_000_000_000_000_000, CachedReadTokens = null },
            ],
        });
    }

    [Fact]
    public async Task A_row_beyond_the_bounds_fails_the_source_and_nothing_of_the_range_is_written()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Scheduler = new SchedulerConfig { MaxBackfillHours = 2, LagMinutes = 0 } };

        var outcome = (await harness.RunAsync(config, [new HugeSource()])).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Failed);
        outcome.Message.ShouldBe("the provider's answer holds a row the tool will not store (gpt-huge, 2025-11-20 04:00:00Z): input_tokens 5000000000000000000 is outside 0 … 1,000,000,000,000,000; nothing of this range was written");
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(0);
    }
}
