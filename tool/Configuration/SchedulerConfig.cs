namespace TokenTelemetry.Configuration;

public sealed record SchedulerConfig
{
    /// <summary>How often collect runs (cron, systemd timer or --daemon); also sets the heartbeat threshold.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Windows closer to now than this are not collected yet: providers report late.</summary>
    public int LagMinutes { get; init; } = 10;
    /// <summary>How far back a first run (or a catch-up after downtime) reaches in one cycle.</summary>
    public int MaxBackfillHours { get; init; } = 72;
    public int HttpTimeoutSeconds { get; init; } = 15;
    /// <summary>Complete days that daily sources re-collect every cycle, because their APIs finalise late.</summary>
    public int LookbackDays { get; init; } = 2;
}
