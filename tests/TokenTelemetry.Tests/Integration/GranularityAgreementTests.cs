using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// A source's window is decided in one place (SourceGranularity), so the collector's freshness row and the watchdog's
/// judge it by the same threshold. Before, the watchdog took `manual` for hourly (2 h + 1 h + 10 min = 11,400 s) while
/// the collector wrote daily (94,200 s), and a misconfigured daily source the other way round: each run of one
/// rewrote the other's threshold.
/// </summary>
public sealed class GranularityAgreementTests
{
    private const int Daily = 2 * 3600 + 86400 + 600; // two intervals, one day, the lag

    [Fact]
    public async Task The_collector_and_the_watchdog_give_a_manual_source_the_same_daily_threshold()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("manual"));
        File.WriteAllLines(dir.File("manual", "usage.csv"), ["provider,model,window_start,input_tokens,output_tokens,cost_usd", "acme,m1,2025-11-18T00:00:00Z,100,10,1.5"]);
        var config = new InstanceConfig { Sources = new SourcesConfig { Manual = new FileSourceConfig { Enabled = true, Path = dir.File("manual") } } };
        using var sources = SourceSet.Create(harness.Context(config), []);

        sources.ShouldHaveSingleItem().Capabilities.Granularity.ShouldBe(Usage.Granularity.Day);
        (await harness.RunAsync(config, sources)).ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Ok);
        (await harness.WatchdogAsync()).Single(w => w.SourceSystem == "manual").ThresholdSeconds.ShouldBe(Daily);
        (await WatchdogThresholdAsync(harness, config, "manual")).ShouldBe(Daily);
    }

    [Fact]
    public async Task A_misconfigured_daily_source_keeps_its_daily_threshold_in_the_collector_and_the_watchdog()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Sources = new SourcesConfig { Openai = new OpenAiSourceConfig { Enabled = true, BucketWidth = "1d" } } };
        using var sources = SourceSet.Create(harness.Context(config), [new ConfigProblem("sources.openai.admin_key", 3, "is empty")]);

        sources.ShouldHaveSingleItem().ShouldBeOfType<MisconfiguredSource>().Capabilities.Granularity.ShouldBe(Usage.Granularity.Day);
        (await harness.RunAsync(config, sources)).ShouldHaveSingleItem().Status.ShouldBe(SourceStatus.Failed);
        (await harness.WatchdogAsync()).Single(w => w.SourceSystem == "openai").ThresholdSeconds.ShouldBe(Daily);
        (await WatchdogThresholdAsync(harness, config, "openai")).ShouldBe(Daily);
    }

    private static async Task<int> WatchdogThresholdAsync(EngineHarness harness, InstanceConfig config, string source)
    {
        await using var connection = await harness.OpenAsync();
        var result = await new Watchdog(harness.Schema, config, harness.Clock).CheckAsync(connection, write: false, CancellationToken.None);
        return result.Sources.Single(r => r.SourceSystem == source).ThresholdSeconds;
    }
}
