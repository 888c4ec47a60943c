using Dapper;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

using static TokenTelemetry.Tests.Integration.SubscriptionPlans;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Rows an earlier version stored as one month row per billing period are replaced by day rows, never added to; and
/// `verify` holds every stored period to its price.
/// </summary>
public sealed class SubscriptionsUpgradeTests
{
    [Fact]
    public async Task Month_rows_stored_by_an_earlier_version_are_replaced_not_added()
    {
        var harness = await EngineHarness.CreateAsync();
        await SeedLegacyAsync(harness, (10, 1), (11, 1)); // what collect wrote before: one row per billing period

        await CollectAsync(Config(new DateOnly(2026, 10, 1)), harness);

        var rows = await harness.RowsAsync("subscriptions");
        rows.ShouldAllBe(r => r.Granularity == Granularity.Day);
        rows.Count.ShouldBe(31 + 28);
        rows.Sum(r => r.CostUsd).ShouldBe(38.666666648m); // October's 20 + 28 × 0.666666666, not 40 more on top
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE granularity = 'month'")).ShouldBe(0);
    }

    [Fact]
    public async Task A_plan_without_start_keeps_its_older_month_rows_until_given_a_start_and_verify_says_so()
    {
        var harness = await EngineHarness.CreateAsync();
        await SeedLegacyAsync(harness, (9, 1), (10, 1), (11, 1));

        var withoutStart = Config();
        await CollectAsync(withoutStart, harness);
        // The current period becomes days; September and October stay as they were: kept, not counted twice.
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE granularity = 'month'")).ShouldBe(2);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE granularity = 'day'")).ShouldBe(28);
        (await harness.ScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.token_usage")).ShouldBe(58.666666648m);
        var failed = (await VerifyAsync(harness, withoutStart)).Where(r => !r.Passed).ToDictionary(r => r.Name);
        failed.Keys.ShouldBe(["subscription_periods_sum_to_price"]);
        failed["subscription_periods_sum_to_price"].Examples.Select(e => ((DateTime)e["period_start"]!, (string)e["problem"]!)).ShouldBe([
            (new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), "stored as one month row by an earlier version: a date range shows none or all of it"),
            (new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), "stored as one month row by an earlier version: a date range shows none or all of it"),
        ]);
        failed["subscription_periods_sum_to_price"].Hint.ShouldContain("set the plan's start");

        var withStart = Config(new DateOnly(2026, 9, 1));
        await CollectAsync(withStart, harness);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE granularity = 'day'")).ShouldBe(30 + 31 + 28);
        (await harness.ScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.token_usage")).ShouldBe(58.666666648m);
        (await VerifyAsync(harness, withStart)).Where(r => !r.Passed).Select(r => r.Name).ShouldBeEmpty();
    }

    [Fact]
    public async Task Verify_holds_every_stored_period_to_its_price()
    {
        var config = Config(new DateOnly(2026, 9, 1), billingDay: 15);
        var harness = await CollectAsync(config);
        (await VerifyAsync(harness, config)).Where(r => !r.Passed).Select(r => r.Name).ShouldBeEmpty();

        // Aug 15 – Sep 15 (31 days) loses its last day; Sep 15 – Oct 15 (30 days) has one day edited by hand.
        await using (var c = await harness.OpenAsync())
            await c.ExecuteAsync("""
                DELETE FROM telemetry.token_usage WHERE window_start = '2026-09-14T00:00:00Z';
                UPDATE telemetry.token_usage SET cost_usd = cost_usd + 0.01 WHERE window_start = '2026-10-01T00:00:00Z';
                """);
        var failed = (await VerifyAsync(harness, config)).Where(r => !r.Passed).ToDictionary(r => r.Name);
        failed.Keys.ShouldBe(["subscription_periods_sum_to_price"]);
        var check = failed["subscription_periods_sum_to_price"];
        check.Offending.ShouldBe(2);
        check.Examples.Select(e => ((DateTime)e["period_start"]!, (long)e["days"]!, (int)e["period_days"]!, (decimal)e["stored_usd"]!, (decimal)e["period_usd"]!, (string)e["problem"]!)).ShouldBe([
            (new DateTime(2026, 8, 15, 0, 0, 0, DateTimeKind.Utc), 30L, 31, 19.35483870m, 20m, "the period has ended with 30 of its 31 days stored"),
            (new DateTime(2026, 9, 15, 0, 0, 0, DateTimeKind.Utc), 30L, 30, 20.01m, 20m, "its days sum to 20.010000000, not the period's price 20"),
        ]);
    }

    private static async Task SeedLegacyAsync(EngineHarness harness, params (int Month, int Day)[] periods)
    {
        var rows = periods.Select(p => new TokenUsageRow
        {
            SourceSystem = "subscriptions", Provider = "openai", Model = "Team", ModelId = "Team",
            WindowStart = new DateTimeOffset(2026, p.Month, p.Day, 0, 0, 0, TimeSpan.Zero),
            WindowEnd = new DateTimeOffset(2026, p.Month, p.Day, 0, 0, 0, TimeSpan.Zero).AddMonths(1),
            Granularity = Granularity.Month, MeasurementBasis = MeasurementBasis.DerivedEstimate, CostUsd = 20m, CostBasis = CostBasis.Subscription,
            RawUsage = """{"adapter":"subscriptions","plan":"Team","seats":1,"monthly_usd":20,"billing_day":1}""",
        }).ToList();
        await using var c = await harness.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        await new UsageWriter(harness.Schema, await SchemaInspector.ConflictModeAsync(c, harness.Schema, CancellationToken.None)).UpsertAsync(tx, rows, CancellationToken.None);
        await tx.CommitAsync();
    }
}
