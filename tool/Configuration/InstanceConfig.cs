namespace TokenTelemetry.Configuration;

/// <summary>The whole of instances/&lt;name&gt;/config.yaml (DESIGN §6). Keys are the snake_case of these names.</summary>
public sealed record InstanceConfig
{
    public PostgresConfig Postgres { get; init; } = new();
    public IdentityConfig Identity { get; init; } = new();
    public SchedulerConfig Scheduler { get; init; } = new();
    public SourcesConfig Sources { get; init; } = new();
    public PricingConfig Pricing { get; init; } = new();
    public GrafanaConfig Grafana { get; init; } = new();
    public WatchdogConfig Watchdog { get; init; } = new();
    public RetentionConfig Retention { get; init; } = new();
}
