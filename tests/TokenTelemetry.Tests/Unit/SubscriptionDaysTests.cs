using System.Text.Json;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>
/// A plan's period price spread over the days of its billing period: one day row per day, the share truncated to the
/// 9 decimals of cost_usd and the remainder on the period's last day, so each period sums to its price exactly.
/// Every figure is worked out by hand (e.g. $20 / 30 days = 0.666666666 × 29 + 0.666666686).
/// </summary>
public sealed class SubscriptionDaysTests
{
    private static DateTimeOffset D(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    private static async Task<IReadOnlyList<TokenUsageRow>> RowsAsync(DateTimeOffset now, params SubscriptionPlanConfig[] plans)
    {
        var source = new SubscriptionsSource(new SubscriptionsSourceConfig { Enabled = true, Plans = [.. plans] }, new FixedClock(now));
        var batch = await source.CollectAsync(new CollectionRange(DateTimeOffset.UnixEpoch, now), CancellationToken.None);
        return batch.Rows.OrderBy(r => r.WindowStart).ToList();
    }

    private static SubscriptionPlanConfig Plan(int billingDay, DateOnly start, decimal monthlyUsd = 20, int seats = 1, DateOnly? end = null) =>
        new() { Name = "Team", Provider = "openai", MonthlyUsd = monthlyUsd, Seats = seats, BillingDay = billingDay, Start = start, End = end };

    [Fact]
    public async Task Twenty_dollars_over_a_30_day_period_is_29_days_of_0_666666666_and_0_666666686_on_the_last()
    {
        var rows = await RowsAsync(D(2026, 11, 30, 18), Plan(1, new DateOnly(2026, 11, 1)));

        rows.Count.ShouldBe(30);
        rows.Select(r => r.WindowStart).ShouldBe(Enumerable.Range(0, 30).Select(i => D(2026, 11, 1).AddDays(i)));
        rows.ShouldAllBe(r => r.WindowEnd == r.WindowStart.AddDays(1));
        rows.Take(29).ShouldAllBe(r => r.CostUsd == 0.666666666m);
        rows[29].CostUsd.ShouldBe(0.666666686m);
        rows.Sum(r => r.CostUsd).ShouldBe(20m);
    }

    [Theory]
    [InlineData(1, "2027-02-01", "2027-03-01", 28, "0.714285714", "0.714285722")] // February, non-leap
    [InlineData(1, "2028-02-01", "2028-03-01", 29, "0.689655172", "0.689655184")] // February, leap year
    [InlineData(1, "2026-12-01", "2027-01-01", 31, "0.645161290", "0.645161300")] // across a year end
    [InlineData(15, "2026-01-15", "2026-02-15", 31, "0.645161290", "0.645161300")]
    [InlineData(15, "2027-02-15", "2027-03-15", 28, "0.714285714", "0.714285722")] // over a non-leap February
    [InlineData(15, "2028-02-15", "2028-03-15", 29, "0.689655172", "0.689655184")] // over a leap February
    [InlineData(31, "2027-01-31", "2027-02-28", 28, "0.714285714", "0.714285722")] // the 31st clamps to Feb 28
    [InlineData(31, "2027-02-28", "2027-03-31", 31, "0.645161290", "0.645161300")] // and comes back to the 31st
    [InlineData(31, "2028-01-31", "2028-02-29", 29, "0.689655172", "0.689655184")] // leap: Feb 29
    [InlineData(31, "2028-02-29", "2028-03-31", 31, "0.645161290", "0.645161300")]
    [InlineData(31, "2026-04-30", "2026-05-31", 31, "0.645161290", "0.645161300")] // April has 30 days
    [InlineData(31, "2026-03-31", "2026-04-30", 30, "0.666666666", "0.666666686")]
    public async Task Each_period_sums_to_its_price_with_the_remainder_on_its_last_day(int billingDay, string start, string end, int days, string share, string last)
    {
        var (from, to) = (DateOnly.Parse(start), DateOnly.Parse(end));
        // "now" is noon of the period's last day: that period only, all of its days.
        var rows = await RowsAsync(D(to.Year, to.Month, to.Day).AddHours(-12), Plan(billingDay, from));

        rows.Count.ShouldBe(days);
        rows[0].WindowStart.ShouldBe(D(from.Year, from.Month, from.Day));
        rows[^1].WindowEnd.ShouldBe(D(to.Year, to.Month, to.Day));
        rows.Take(days - 1).ShouldAllBe(r => r.CostUsd == decimal.Parse(share, System.Globalization.CultureInfo.InvariantCulture));
        rows[^1].CostUsd.ShouldBe(decimal.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
        rows.Sum(r => r.CostUsd).ShouldBe(20m);
    }

    [Fact]
    public async Task The_running_period_has_its_days_up_to_today_and_the_rest_as_they_arrive()
    {
        var plan = Plan(1, new DateOnly(2026, 11, 1));
        var today = await RowsAsync(D(2026, 11, 28, 12), plan);
        today.Count.ShouldBe(28);
        today[^1].WindowStart.ShouldBe(D(2026, 11, 28));
        today.ShouldAllBe(r => r.CostUsd == 0.666666666m);

        // A day's share never changes as the period goes on: the earlier rows are the same, the last day takes the rest.
        var periodEnd = await RowsAsync(D(2026, 11, 30), plan);
        periodEnd.Take(28).ShouldBe(today);
        periodEnd.Select(r => r.CostUsd).TakeLast(2).ShouldBe([0.666666666m, 0.666666686m]);

        var nextPeriod = await RowsAsync(D(2026, 12, 1, 0), plan);
        nextPeriod.Count.ShouldBe(31);
        nextPeriod[^1].CostUsd.ShouldBe(0.645161290m); // December: $20 / 31
        nextPeriod.Sum(r => r.CostUsd).ShouldBe(20.645161290m);
    }

    [Fact]
    public async Task A_day_row_is_an_estimate_with_null_tokens_that_names_its_period_and_price()
    {
        // Started on the 28th, billed on the 1st: the period it starts in is charged whole, over all of its days so far.
        var rows = await RowsAsync(D(2026, 11, 28, 12), Plan(1, new DateOnly(2026, 11, 28), monthlyUsd: 30, seats: 5) with { UserId = "alice" });
        rows.Count.ShouldBe(28);
        var row = rows[^1];

        row.ShouldSatisfyAllConditions(
            r => r.SourceSystem.ShouldBe("subscriptions"), r => r.Provider.ShouldBe("openai"), r => r.ModelId.ShouldBe("Team"), r => r.UserId.ShouldBe("alice"),
            r => r.Granularity.ShouldBe(Granularity.Day), r => r.MeasurementBasis.ShouldBe(MeasurementBasis.DerivedEstimate),
            r => r.CostBasis.ShouldBe(CostBasis.Subscription), r => r.CostUsd.ShouldBe(5m), // $30 × 5 seats / 30 days
            r => r.InputTokens.ShouldBeNull(), r => r.CachedReadTokens.ShouldBeNull(), r => r.CachedWriteTokens.ShouldBeNull(),
            r => r.OutputTokens.ShouldBeNull(), r => r.ReasoningTokens.ShouldBeNull(), r => r.RequestCount.ShouldBeNull());
        var raw = JsonDocument.Parse(row.RawUsage!).RootElement;
        raw.GetProperty("adapter").GetString().ShouldBe("subscriptions");
        raw.GetProperty("period_start").GetString().ShouldBe("2026-11-01");
        raw.GetProperty("period_end").GetString().ShouldBe("2026-12-01");
        raw.GetProperty("period_days").GetInt32().ShouldBe(30);
        raw.GetProperty("period_usd").GetDecimal().ShouldBe(150m);
        raw.GetProperty("day_of_period").GetInt32().ShouldBe(28);
        raw.GetProperty("seats").GetInt32().ShouldBe(5);
        raw.GetProperty("monthly_usd").GetDecimal().ShouldBe(30m);
    }

    [Fact]
    public async Task A_plan_is_charged_whole_periods_from_the_one_it_starts_in_to_the_one_it_ends_in()
    {
        // Starts Mar 20, billed on the 15th, ends May 20: Mar 15–Apr 15 (31 days), Apr 15–May 15 (30), May 15–Jun 15 (31).
        var rows = await RowsAsync(D(2026, 12, 1), Plan(15, new DateOnly(2026, 3, 20), monthlyUsd: 20, end: new DateOnly(2026, 5, 20)));

        rows.Count.ShouldBe(92);
        rows[0].WindowStart.ShouldBe(D(2026, 3, 15));
        rows[^1].WindowStart.ShouldBe(D(2026, 6, 14));
        rows.GroupBy(r => JsonDocument.Parse(r.RawUsage!).RootElement.GetProperty("period_start").GetString())
            .Select(g => (g.Key, g.Count(), g.Sum(r => r.CostUsd)))
            .ShouldBe([("2026-03-15", 31, 20m), ("2026-04-15", 30, 20m), ("2026-05-15", 31, 20m)]);
        rows.Sum(r => r.CostUsd).ShouldBe(60m);
    }

    [Fact]
    public async Task A_price_that_does_not_divide_evenly_still_sums_exactly_and_a_free_plan_is_zero_not_null()
    {
        var odd = await RowsAsync(D(2026, 11, 30, 12), Plan(1, new DateOnly(2026, 11, 1), monthlyUsd: 0.01m, seats: 1));
        odd.Take(29).ShouldAllBe(r => r.CostUsd == 0.000333333m);
        odd[^1].CostUsd.ShouldBe(0.000333343m); // 0.01 − 29 × 0.000333333
        odd.Sum(r => r.CostUsd).ShouldBe(0.01m);

        var free = await RowsAsync(D(2026, 11, 2, 12), Plan(1, new DateOnly(2026, 11, 1), monthlyUsd: 0));
        free.Select(r => r.CostUsd).ShouldBe([0m, 0m]);
    }

    [Fact]
    public async Task A_plan_that_has_not_started_writes_nothing()
    {
        (await RowsAsync(D(2026, 11, 28, 12), Plan(1, new DateOnly(2026, 12, 1)))).ShouldBeEmpty();
    }
}
