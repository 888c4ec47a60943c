namespace TokenTelemetry.Configuration;

/// <summary>A resolved instance: its name, its folder and its loaded config.</summary>
public sealed record Instance(string Name, string Directory, string ConfigPath, InstanceConfig Config, IReadOnlyList<string> Warnings)
{
    /// <summary>Config problems of individual sources, deferred so that each fails only its own source.</summary>
    public IReadOnlyList<ConfigProblem> SourceProblems { get; init; } = [];

    public string PgDataDirectory => Path.Combine(Directory, ".pgdata");
    public string EmbeddedStatePath => Path.Combine(Directory, ".embedded-postgres.json");
}
