namespace TokenTelemetry.Configuration;

public sealed record SubscriptionPlanConfig
{
    public string Name { get; init; } = "";
    public string Provider { get; init; } = "";
    public decimal MonthlyUsd { get; init; }
    public int Seats { get; init; } = 1;
    /// <summary>Day of the month the plan renews (1–31; in shorter months, the month's last day).</summary>
    public int BillingDay { get; init; } = 1;
    /// <summary>First day of the plan; without it, periods are written from the current one on.</summary>
    public DateOnly? Start { get; init; }
    /// <summary>Day after the last day of the plan (exclusive).</summary>
    public DateOnly? End { get; init; }
    public string? UserId { get; init; }
    public string? ProjectId { get; init; }
}
