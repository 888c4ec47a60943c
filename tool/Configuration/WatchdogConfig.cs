namespace TokenTelemetry.Configuration;

public sealed record WatchdogConfig
{
    /// <summary>Seconds without ingest or a successful poll before a source is stale, per source name.</summary>
    public Dictionary<string, int> Thresholds { get; init; } = [];
    /// <summary>Sources configured but deliberately idle, with the message shown instead of an alarm.</summary>
    public Dictionary<string, string> Paused { get; init; } = [];
    /// <summary>How far (percent) a day's computed cost may differ from the provider's billed cost before `verify` flags it.</summary>
    public decimal CostDriftPercent { get; init; } = 10;
}
