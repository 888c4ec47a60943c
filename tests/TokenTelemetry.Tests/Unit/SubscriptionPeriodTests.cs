using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Tests.Unit;

public sealed class SubscriptionPeriodTests
{
    private static DateTimeOffset D(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

    private static List<(DateTimeOffset Start, DateTimeOffset End)> Periods(int billingDay, DateOnly start, DateTimeOffset now, DateOnly? end = null) =>
        SubscriptionsSource.Periods(new SubscriptionPlanConfig { Name = "p", Provider = "x", MonthlyUsd = 20, BillingDay = billingDay, Start = start, End = end }, now).ToList();

    [Fact]
    public void Billing_day_31_clamps_to_short_months_including_a_leap_february()
    {
        var periods = Periods(31, new DateOnly(2028, 1, 31), D(2028, 5, 1));
        periods.ShouldBe([
            (D(2028, 1, 31), D(2028, 2, 29)),
            (D(2028, 2, 29), D(2028, 3, 31)),
            (D(2028, 3, 31), D(2028, 4, 30)),
            (D(2028, 4, 30), D(2028, 5, 31)),
        ]);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(31)]
    public void Periods_tile_without_overlaps_or_gaps_across_years(int billingDay)
    {
        var periods = Periods(billingDay, new DateOnly(2026, 1, 1), D(2029, 1, 1));
        for (var i = 1; i < periods.Count; i++) periods[i].Start.ShouldBe(periods[i - 1].End);
        periods.ShouldAllBe(p => p.End > p.Start && (p.End - p.Start).TotalDays >= 28 && (p.End - p.Start).TotalDays <= 31);
        // Jan 1 2026 lies in the period that began on the 29th–31st of Dec 2025; the last begins in Dec 2028.
        periods.Count.ShouldBe(37);
        periods[0].Start.ShouldBe(D(2025, 12, billingDay));
        periods.Where(p => p.Start.Month == 2).Select(p => p.Start.Day).ShouldBe([28, 28, 29]); // 2026, 2027, leap 2028
    }

    [Fact]
    public void A_plan_starting_mid_period_is_charged_for_the_period_it_starts_in_and_stops_at_its_end()
    {
        Periods(15, new DateOnly(2026, 3, 20), D(2026, 12, 1), end: new DateOnly(2026, 5, 15))
            .ShouldBe([(D(2026, 3, 15), D(2026, 4, 15)), (D(2026, 4, 15), D(2026, 5, 15))]);
    }

    [Fact]
    public void Future_periods_are_not_written_yet()
    {
        Periods(1, new DateOnly(2026, 11, 1), D(2026, 11, 23)).ShouldBe([(D(2026, 11, 1), D(2026, 12, 1))]);
    }
}
