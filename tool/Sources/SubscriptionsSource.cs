using System.Globalization;
using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// Fixed-price plans → one day row per day of each billing period, so any date range shows its share (DESIGN §7).
/// A period is [billing day of month M, billing day of month M+1) in UTC, the billing day clamped to each month's
/// length (31 → Feb 28/29, Apr 30), so periods tile with no overlap and no gap. Its price (monthly_usd × seats) is
/// spread over all of its days by <see cref="PeriodShares"/>, summing to the price exactly. NULL tokens, cost_basis
/// subscription, measurement derived_estimate; raw_usage names the period and its price. Periods from the one the
/// plan starts in (else the current one) to the one it ends in; days up to today only — the rest as they arrive.
/// </summary>
public sealed class SubscriptionsSource(SubscriptionsSourceConfig config, TimeProvider clock) : ICollectionSource
{
    public string Name => "subscriptions";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = SourceGranularity.Of("subscriptions", config), Windowed = false, AuthoritativeWindows = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = new List<TokenUsageRow>();
        foreach (var plan in config.Plans)
            foreach (var (start, end) in Periods(plan, now))
            {
                var days = (int)(end - start).TotalDays;
                for (var i = 0; i < days && start.AddDays(i) <= now; i++)
                    rows.Add(Row(plan, start, end, days, i));
            }
        return Task.FromResult(new SourceBatch { Rows = rows });
    }

    /// <summary>The billing periods of a plan that have begun by <paramref name="now"/>.</summary>
    public static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Periods(SubscriptionPlanConfig plan, DateTimeOffset now)
    {
        var first = plan.Start is { } s ? new DateTimeOffset(s.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now;
        var start = PeriodStartContaining(first, plan.BillingDay);
        var planEnd = plan.End is { } e ? new DateTimeOffset(e.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : (DateTimeOffset?)null;
        while (start <= now && (planEnd is null || start < planEnd))
        {
            var next = BillingDate(start.Year, start.Month, plan.BillingDay, monthsAhead: 1);
            yield return (start, next);
            start = next;
        }
    }

    private static DateTimeOffset PeriodStartContaining(DateTimeOffset at, int billingDay)
    {
        var candidate = BillingDate(at.Year, at.Month, billingDay, 0);
        return candidate <= at ? candidate : BillingDate(at.Year, at.Month, billingDay, -1);
    }

    private static DateTimeOffset BillingDate(int year, int month, int billingDay, int monthsAhead)
    {
        var first = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(monthsAhead);
        var day = Math.Min(billingDay, DateTime.DaysInMonth(first.Year, first.Month));
        return new DateTimeOffset(first.AddDays(day - 1));
    }

    private static TokenUsageRow Row(SubscriptionPlanConfig plan, DateTimeOffset start, DateTimeOffset end, int days, int index)
    {
        var price = plan.MonthlyUsd * plan.Seats;
        // The period and its price travel with each day, so `verify` and the dashboards can sum a period back up.
        var raw = JsonSerializer.Serialize(new
        {
            adapter = "subscriptions", plan = plan.Name, seats = plan.Seats, monthly_usd = plan.MonthlyUsd, billing_day = plan.BillingDay,
            period_start = Day(start), period_end = Day(end), period_days = days, period_usd = price, day_of_period = index + 1,
        });
        return TokenUsageRow.Of(new UsageTelemetry(), new Pricing.PricedUsage(PeriodShares.Of(price, days, index), CostBasis.Subscription, null),
            "subscriptions", plan.Provider, plan.Name, plan.Name, start.AddDays(index), Granularity.Day, MeasurementBasis.DerivedEstimate,
            string.IsNullOrEmpty(plan.UserId) ? null : plan.UserId, string.IsNullOrEmpty(plan.ProjectId) ? null : plan.ProjectId, raw);
    }

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
