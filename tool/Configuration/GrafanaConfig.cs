namespace TokenTelemetry.Configuration;

public sealed record GrafanaConfig
{
    public string? Url { get; init; }
    public string? Token { get; init; }
    public string Folder { get; init; } = "Token Telemetry";
    public string DatasourceName { get; init; } = "TokenTelemetry Postgres";
    public string DatasourceUid { get; init; } = "token-telemetry-pg";
    /// <summary>The read-only role Grafana connects as (SELECT on the schema only); empty = not created.</summary>
    public string? ReaderRole { get; init; }
    public string? ReaderPassword { get; init; }
}
