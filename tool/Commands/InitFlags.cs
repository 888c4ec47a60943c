namespace TokenTelemetry.Commands;

/// <summary>init's command-line flags, before prompts and defaults.</summary>
public sealed record InitFlags
{
    public required string Name { get; init; }
    public bool NonInteractive { get; init; }
    public bool EmbeddedPostgres { get; init; }
    public string? PgUrl { get; init; }
    public string? PgHost { get; init; }
    public int? PgPort { get; init; }
    public string? PgDatabase { get; init; }
    public string? PgUser { get; init; }
    public string? Schema { get; init; }
    public IReadOnlyList<string> Sources { get; init; } = [];
    public string? ReaderRole { get; init; }
}
