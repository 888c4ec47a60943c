using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;
using TokenTelemetry.Verification;

using static TokenTelemetry.Tests.Integration.SubscriptionPlans;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Subscriptions through the real engine into a real Postgres, read back the way `report` and the dashboards read
/// them. The reference case: $20 a month billed on the 1st, "now" 2026-11-28 12:00 UTC — a 7-day view holds
/// Nov 22–28, 7 × 0.666666666 = 4.666666662 (November: 30 days, 0.666666666 a day, 0.666666686 on the 30th).
/// </summary>
public sealed class SubscriptionsCollectTests
{
    private static async Task<List<Dictionary<string, object?>>> PanelAsync(NpgsqlConnection c, string uid, string title, DateTimeOffset from, DateTimeOffset to)
    {
        var (dashboards, variables) = GrafanaKit.Definitions("telemetry");
        var values = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in variables)
            values[v.Name] = (await c.QueryAsync(GrafanaMacros.Expand(v.Sql, from, to, "1h", values))).Select(r => (string)((IDictionary<string, object?>)r).Values.Single()!).ToList();
        var sql = dashboards.Single(d => d.Uid == uid).Panels.Single(p => p.Title == title).Sql;
        return (await c.QueryAsync(GrafanaMacros.Expand(sql, from, to, "1d", values))).Select(r => new Dictionary<string, object?>((IDictionary<string, object?>)r)).ToList();
    }

    [Fact]
    public async Task A_7_day_report_shows_7_days_share_of_a_plan_billed_on_the_1st()
    {
        var harness = await CollectAsync(Config(new DateOnly(2026, 10, 1)));
        await using var c = await harness.OpenAsync();

        // `report --since 7d` asks for [now − 7 d, now).
        var bySource = await new SpendReport(harness.Schema).RunAsync(c, "source", Now.AddDays(-7), Now, CancellationToken.None);
        var row = bySource.ShouldHaveSingleItem();
        row.CostUsd.ShouldBe(4.666666662m);
        row.Estimated.ShouldBeTrue();
        row.InputTokens.ShouldBeNull();

        var byDay = await new SpendReport(harness.Schema).RunAsync(c, "day", Now.AddDays(-7), Now, CancellationToken.None);
        byDay.Select(r => (r.Key, r.CostUsd)).ShouldBe(Enumerable.Range(22, 7).Select(d => ($"2026-11-{d}", (decimal?)0.666666666m)));

        // A whole period, and a range across two: October is $20 / 31 days (0.645161290, 0.645161300 on the 31st).
        (await new SpendReport(harness.Schema).RunAsync(c, "source", new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None))
            .Single().CostUsd.ShouldBe(20m);
        (await new SpendReport(harness.Schema).RunAsync(c, "source", new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero), CancellationToken.None))
            .Single().CostUsd.ShouldBe(0.645161290m + 0.645161300m + 2 * 0.666666666m);
    }

    [Fact]
    public async Task The_dashboards_subscription_panels_show_7_days_share_over_a_7_day_range()
    {
        var harness = await CollectAsync(Config(new DateOnly(2026, 10, 1)));
        await using var c = await harness.OpenAsync();
        var (from, to) = (Now.AddDays(-7), Now);

        Convert.ToDecimal((await PanelAsync(c, "tt-overview", "Estimated spend (subscriptions)", from, to)).Single()["spend"]).ShouldBe(4.666666662m);
        var overTime = await PanelAsync(c, "tt-overview", "Subscription vs metered spend", from, to);
        overTime.Select(r => ((DateTime)r["time"]!, (string)r["metric"]!, Convert.ToDecimal(r["value"])))
            .ShouldBe(Enumerable.Range(22, 7).Select(d => (new DateTime(2026, 11, d, 0, 0, 0, DateTimeKind.Utc), "subscription (estimate)", 0.666666666m)));
        var kinds = (await PanelAsync(c, "tt-quotas", "Subscription vs metered spend", from, to)).ShouldHaveSingleItem();
        kinds["kind"].ShouldBe("subscription (estimate)");
        Convert.ToDecimal(kinds["spend"]).ShouldBe(4.666666662m);

        var plans = await PanelAsync(c, "tt-quotas", "Plans and their cost", from, to);
        var plan = plans.ShouldHaveSingleItem();
        plan["plan"].ShouldBe("Team");
        plan["period_start"].ShouldBe(new DateOnly(2026, 11, 1));
        plan["period_end"].ShouldBe(new DateOnly(2026, 12, 1));
        plan["period_price_usd"].ShouldBe(20m);
        plan["days_in_range"].ShouldBe("7 of 30");
        plan["cost_in_range_usd"].ShouldBe(4.666666662m);

        // Over the last 60 days the table lists both periods, newest first: October whole, November so far.
        (await PanelAsync(c, "tt-quotas", "Plans and their cost", Now.AddDays(-60), Now))
            .Select(r => ((DateOnly)r["period_start"]!, (string)r["days_in_range"]!, (decimal)r["cost_in_range_usd"]!))
            .ShouldBe([(new DateOnly(2026, 11, 1), "28 of 30", 18.666666648m), (new DateOnly(2026, 10, 1), "31 of 31", 20m)]);
    }

    [Fact]
    public async Task Days_arrive_as_they_come_and_a_finished_period_sums_to_its_price()
    {
        var config = Config(new DateOnly(2026, 11, 1));
        var harness = await CollectAsync(config);
        var first = await harness.RowsAsync("subscriptions");
        first.Count.ShouldBe(28);
        first.ShouldAllBe(r => r.Granularity == Granularity.Day && r.CostUsd == 0.666666666m);

        harness.Clock.Now = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
        await CollectAsync(config, harness);
        var rows = await harness.RowsAsync("subscriptions");
        rows.Count.ShouldBe(31);
        rows.Where(r => r.WindowStart.Month == 11).Sum(r => r.CostUsd).ShouldBe(20m);
        rows.Single(r => r.WindowStart == new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)).CostUsd.ShouldBe(0.666666686m);
        rows.Single(r => r.WindowStart.Month == 12).CostUsd.ShouldBe(0.645161290m);
        (await harness.ScalarAsync<decimal>("SELECT sum(cost_usd) FROM telemetry.token_usage")).ShouldBe(20.645161290m);
    }

    [Fact]
    public async Task A_plan_without_a_start_keeps_its_earlier_days_when_another_plan_starts_earlier()
    {
        var config = Config(new DateOnly(2026, 10, 1)) with { };
        var solo = new SubscriptionPlanConfig { Name = "Solo", Provider = "anthropic", MonthlyUsd = 30, BillingDay = 1 };
        config = config with { Sources = config.Sources with { Subscriptions = config.Sources.Subscriptions! with { Plans = [.. config.Sources.Subscriptions!.Plans, solo] } } };
        var harness = await CollectAsync(config);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE model_id = 'Solo'")).ShouldBe(28); // its current period so far

        harness.Clock.Now = new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
        await CollectAsync(config, harness);

        // Solo's November days are outside its own span now (it has no start), but inside Team's: they stay.
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE model_id = 'Solo' AND window_start < '2026-12-01'")).ShouldBe(28);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE model_id = 'Solo' AND window_start >= '2026-12-01'")).ShouldBe(2);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE model_id = 'Team'")).ShouldBe(31 + 30 + 2);
    }

    [Fact]
    public async Task The_freshness_threshold_stays_two_intervals_plus_lag_as_the_plans_are_read_every_cycle()
    {
        var config = Config(new DateOnly(2026, 11, 1));
        var harness = await CollectAsync(config);
        (await harness.WatchdogAsync()).Single(r => r.SourceSystem == "subscriptions").ThresholdSeconds.ShouldBe(2 * 3600 + 10 * 60);
        Liveness.ThresholdSeconds(config, "subscriptions", SourceGranularity.Of("subscriptions", config.Sources.Subscriptions!)).ShouldBe(7800);
        SourceGranularity.Of("subscriptions", config.Sources.Subscriptions!).ShouldBe(Granularity.Day);
    }
}
