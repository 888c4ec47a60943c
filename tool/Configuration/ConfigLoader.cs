using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TokenTelemetry.Configuration;

/// <summary>Reads config.yaml (and the .env beside it) into a validated <see cref="InstanceConfig"/>.</summary>
public static class ConfigLoader
{
    public static LoadedConfig Load(string configPath, bool requireSources = true, Func<string, string?>? environment = null)
    {
        if (!File.Exists(configPath))
            throw new TelemetryException($"config file {configPath} does not exist", "run `token-telemetry init <name>` first, or pass --instance");
        var envPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, ".env");
        var loaded = Parse(File.ReadAllText(configPath), configPath, File.Exists(envPath) ? File.ReadAllText(envPath) : "", environment, requireSources);
        return SecretCheck.DotEnvWarning(envPath) is { } warning ? loaded with { Warnings = [.. loaded.Warnings, warning] } : loaded;
    }

    /// <param name="requireSources">false for commands that never touch a source (migrate, db): problems under
    /// sources.* (an unset admin key, say) become warnings there instead of blocking the command.</param>
    public static LoadedConfig Parse(string yaml, string fileName, string dotEnvText = "", Func<string, string?>? environment = null,
        bool requireSources = true)
    {
        var problems = new List<ConfigProblem>();
        var dotEnv = DotEnvFile.Parse(dotEnvText, ".env", problems);
        var root = ParseYaml(yaml, fileName);
        var binder = new YamlBinder(new EnvironmentExpander(dotEnv, environment));
        var config = binder.Bind<InstanceConfig>(root);
        problems.AddRange(binder.Problems);

        // An unset variable only matters where it is used: a disabled source's credentials may stay unset. Not its
        // `enabled` itself, though: unresolved, it would leave the source silently disabled.
        var disabled = config.Sources.All().Where(s => !s.Config.Enabled).Select(s => $"sources.{s.Name}.").ToList();
        problems.AddRange(binder.MissingVariables.Where(p => IsEnabledKey(p.Path) || !disabled.Any(d => p.Path.StartsWith(d, StringComparison.Ordinal))));

        // Values that failed to bind keep their defaults, so validation still runs; a path already reported is not reported twice.
        var reported = problems.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(ConfigValidator.Validate(config)
            .Where(p => !reported.Contains(p.Path))
            .Select(p => p with { Line = binder.Lines.GetValueOrDefault(p.Path) }));
        var warnings = SecretCheck.Warnings(binder.RawScalars).ToList();
        var deferred = new List<ConfigProblem>();
        if (!requireSources)
        {
            // A source whose `enabled` is unreadable is neither on nor off: that stops every command, never a warning.
            deferred = problems.Where(p => p.Path.StartsWith("sources.", StringComparison.Ordinal) && !IsEnabledKey(p.Path)).ToList();
            problems = problems.Except(deferred).ToList();
        }
        if (problems.Count > 0) throw new ConfigException(fileName, problems);
        return new LoadedConfig(config, warnings) { SourceProblems = deferred };
    }

    private static bool IsEnabledKey(string path) =>
        path.StartsWith("sources.", StringComparison.Ordinal) && path.EndsWith(".enabled", StringComparison.Ordinal) && path.Count(c => c == '.') == 2;

    private static YamlNode? ParseYaml(string yaml, string fileName)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new ConfigException(fileName, [new ConfigProblem("(yaml)", (int)e.Start.Line, e.InnerException?.Message ?? e.Message)]);
        }
    }
}
