namespace TokenTelemetry.Configuration;

public sealed record SubscriptionPlanConfig
{
    public string Name { get; init; } = "";
    public string Provider { get; init; } = "";
    public decimal MonthlyUsd { get; init; }
    public int Seats { get; init; } = 1;
    /// <summary>Day of the month the plan renews (1–28; later days would overlap short months).</summary>
    public int BillingDay { get; init; } = 1;
    public DateOnly? Start { get; init; }
    public DateOnly? End { get; init; }
    public string? UserId { get; init; }
    public string? ProjectId { get; init; }
}
