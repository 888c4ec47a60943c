namespace TokenTelemetry.Configuration;

/// <summary>How long token_usage keeps its rows (its hourly detail). The daily and monthly rollups keep every total.</summary>
public sealed record RetentionConfig
{
    /// <summary>Months whose every window started more than this many days ago are dropped, whole partitions at a
    /// time, by `collect`; null keeps all. At least <see cref="MinimumHourlyDays"/>: a partition is a month.</summary>
    public int? HourlyDays { get; init; }

    public const int MinimumHourlyDays = 31;
}
