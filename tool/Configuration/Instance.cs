namespace TokenTelemetry.Configuration;

/// <summary>A resolved instance: its name, its folder and its loaded config.</summary>
public sealed record Instance(string Name, string Directory, string ConfigPath, InstanceConfig Config, IReadOnlyList<string> Warnings)
{
    public string PgDataDirectory => Path.Combine(Directory, ".pgdata");
    public string EmbeddedStatePath => Path.Combine(Directory, ".embedded-postgres.json");
}
