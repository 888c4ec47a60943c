namespace TokenTelemetry.Configuration;

/// <summary>A valid config and the warnings worth showing (e.g. a secret written literally).</summary>
public sealed record LoadedConfig(InstanceConfig Config, IReadOnlyList<string> Warnings)
{
    /// <summary>Problems under sources.* that were deferred (requireSources: false): each fails only its own source.</summary>
    public IReadOnlyList<ConfigProblem> SourceProblems { get; init; } = [];
}
