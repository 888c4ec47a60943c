using System.Text.Json;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// Fixed-price plans → one row per billing period: [billing day of month M, billing day of month M+1) in UTC, the
/// billing day clamped to each month's length (31 → Feb 28/29, Apr 30), so periods tile with no overlap and no
/// gap. NULL tokens, cost = monthly_usd × seats, cost_basis subscription, measurement derived_estimate. Periods
/// from the plan's start (else the current one) up to the one running now, ending at the plan's end.
/// </summary>
public sealed class SubscriptionsSource(SubscriptionsSourceConfig config, TimeProvider clock) : ICollectionSource
{
    public string Name => "subscriptions";

    public SourceCapabilities Capabilities { get; } = new()
    {
        Granularity = Granularity.Month, Windowed = false, AuthoritativeWindows = true, ReportsCost = true,
    };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = new List<TokenUsageRow>();
        foreach (var plan in config.Plans)
            foreach (var (start, end) in Periods(plan, now))
                rows.Add(Row(plan, start, end));
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

    private static TokenUsageRow Row(SubscriptionPlanConfig plan, DateTimeOffset start, DateTimeOffset end) => new()
    {
        SourceSystem = "subscriptions",
        Provider = plan.Provider,
        Model = plan.Name,
        ModelId = plan.Name,
        UserId = string.IsNullOrEmpty(plan.UserId) ? null : plan.UserId,
        ProjectId = string.IsNullOrEmpty(plan.ProjectId) ? null : plan.ProjectId,
        WindowStart = start,
        WindowEnd = end,
        Granularity = Granularity.Month,
        MeasurementBasis = MeasurementBasis.DerivedEstimate,
        CostUsd = plan.MonthlyUsd * plan.Seats,
        CostBasis = CostBasis.Subscription,
        RawUsage = JsonSerializer.Serialize(new { adapter = "subscriptions", plan = plan.Name, seats = plan.Seats, monthly_usd = plan.MonthlyUsd, billing_day = plan.BillingDay }),
    };
}
