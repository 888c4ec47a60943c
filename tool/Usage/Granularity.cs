namespace TokenTelemetry.Usage;

/// <summary>The window sizes of token_usage rows; stored as the Postgres enum labels 15min, hour, day, month.</summary>
public enum Granularity
{
    FifteenMinutes,
    Hour,
    Day,
    Month,
}
