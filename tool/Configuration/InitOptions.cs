namespace TokenTelemetry.Configuration;

/// <summary>What `init` scaffolds an instance from, after flags and prompts.</summary>
public sealed record InitOptions
{
    public required string Name { get; init; }
    public bool Embedded { get; init; }
    public string? Url { get; init; }
    public string Host { get; init; } = "localhost";
    public int Port { get; init; } = 5432;
    /// <summary>postgres.port of an embedded cluster; null = a free port.</summary>
    public int? EmbeddedPort { get; init; }
    public string Database { get; init; } = "token_telemetry";
    public string User { get; init; } = "token_telemetry";
    public string Schema { get; init; } = PostgresConfig.DefaultSchema;
    public IReadOnlyList<string> Sources { get; init; } = [];
    /// <summary>grafana.reader_role; null = none.</summary>
    public string? ReaderRole { get; init; }
}
