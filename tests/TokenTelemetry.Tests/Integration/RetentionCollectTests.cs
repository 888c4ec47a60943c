using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

using static TokenTelemetry.Tests.Integration.SubscriptionPlans;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// retention.hourly_days through `collect`: a cycle drops the old months before its sources run, a snapshot source that
/// rewrites every day since a plan's start (subscriptions) leaves the dropped days to the rollups instead of failing,
/// `report` over the whole history gives the numbers it gave before, and `verify` passes.
/// </summary>
public sealed class RetentionCollectTests
{
    [Fact]
    public async Task A_cycle_drops_old_months_and_a_plan_started_before_them_keeps_collecting()
    {
        var keepAll = Config(new DateOnly(2026, 6, 1)); // $20 a month from June 1st
        var harness = await CollectAsync(keepAll);
        var (from, to) = (new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), Now);
        await using var c = await harness.OpenAsync();
        var before = await new SpendReport(harness.Schema).RunAsync(c, "day", from, to, CancellationToken.None);
        before.Count.ShouldBe(181); // June 1 – November 28
        before.Sum(r => r.CostUsd).ShouldBe(100m + 18.666666648m); // June – October whole, 28 days of November at 0.666666666

        var keep60Days = keepAll with { Retention = new RetentionConfig { HourlyDays = 60 } };
        await CollectAsync(keep60Days, harness);

        harness.Progress.ShouldContain("retention: dropped the hourly detail of 2026-06 (30 rows, older than 60 days); the rollups keep its totals");
        harness.Progress.ShouldContain("retention: dropped the hourly detail of 2026-08 (31 rows, older than 60 days); the rollups keep its totals");
        (await harness.ScalarAsync<DateTime>("SELECT min(window_start) FROM telemetry.token_usage")).ShouldBe(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc));
        (await new SpendReport(harness.Schema).RunAsync(c, "day", from, to, CancellationToken.None)).ShouldBe(before);
        await RollupState.ShouldMatchFactsAsync(c, harness.Schema);
        (await VerifyAsync(harness, keep60Days)).Where(r => !r.Passed).Select(r => r.Name).ShouldBeEmpty();

        await CollectAsync(keep60Days, harness); // and again: nothing more to drop, nothing refused
        (await new SpendReport(harness.Schema).RunAsync(c, "day", from, to, CancellationToken.None)).ShouldBe(before);
    }
}
