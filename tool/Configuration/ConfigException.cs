namespace TokenTelemetry.Configuration;

/// <summary>Every problem of a config file at once, so a user fixes them in one pass, not one per run.</summary>
public sealed class ConfigException(string file, IReadOnlyList<ConfigProblem> problems)
    : TelemetryException(
        problems.Count == 1 ? $"{file}: {problems[0]}" : $"{file} has {problems.Count} problems: {string.Join("; ", problems)}",
        "fix the config and run again; instances/example/config.yaml documents every key")
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
