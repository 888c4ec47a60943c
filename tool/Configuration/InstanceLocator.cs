namespace TokenTelemetry.Configuration;

/// <summary>
/// Turns --instance (a name under ./instances, a folder, or a path to config.yaml) into a config path.
/// Without it: $TT_INSTANCE, else the only instance under ./instances other than the checked-in example.
/// </summary>
public static class InstanceLocator
{
    public const string ExampleName = "example";

    public static string ResolveConfigPath(string? instance, string workingDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Invocation.Current.Variable;
        instance = string.IsNullOrWhiteSpace(instance) ? environment("TT_INSTANCE") : instance;
        var instancesDir = Path.Combine(workingDirectory, "instances");
        if (string.IsNullOrWhiteSpace(instance)) return Path.Combine(OnlyInstance(instancesDir), "config.yaml");

        var asPath = Path.GetFullPath(instance, workingDirectory);
        if (File.Exists(asPath)) return asPath;
        if (Directory.Exists(asPath) && instance.IndexOfAny(['/', '\\']) >= 0) return Path.Combine(asPath, "config.yaml");
        var named = Path.Combine(instancesDir, instance);
        if (Directory.Exists(named)) return Path.Combine(named, "config.yaml");
        if (Directory.Exists(asPath)) return Path.Combine(asPath, "config.yaml");
        throw new TelemetryException($"instance '{instance}' not found (looked for {named} and {asPath})",
            $"create it with `token-telemetry init {Path.GetFileName(instance.TrimEnd('/'))}`, or pass a folder or config.yaml path");
    }

    public static Instance Load(string? instance, string workingDirectory, bool requireSources = true, Func<string, string?>? environment = null)
    {
        var configPath = ResolveConfigPath(instance, workingDirectory, environment);
        var loaded = ConfigLoader.Load(configPath, requireSources, environment);
        var directory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        return new Instance(Path.GetFileName(directory), directory, configPath, loaded.Config, loaded.Warnings) { SourceProblems = loaded.SourceProblems };
    }

    private static string OnlyInstance(string instancesDir)
    {
        var candidates = Directory.Exists(instancesDir)
            ? Directory.GetDirectories(instancesDir).Where(d => Path.GetFileName(d) != ExampleName).Order(StringComparer.Ordinal).ToList()
            : [];
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new TelemetryException("no instance found under ./instances",
                "create one with `token-telemetry init <name>`, or pass --instance / set TT_INSTANCE"),
            _ => throw new TelemetryException(
                $"several instances under ./instances ({string.Join(", ", candidates.Select(Path.GetFileName))})",
                "pass --instance <name> or set TT_INSTANCE"),
        };
    }
}
