using TokenTelemetry.Configuration;

namespace TokenTelemetry.Sources;

/// <summary>Builds the enabled sources of an instance, in config order; one whose section has problems becomes a
/// <see cref="MisconfiguredSource"/> so it fails alone.</summary>
public static class SourceFactory
{
    public static IReadOnlyList<ICollectionSource> Create(SourceContext context, IReadOnlyList<ConfigProblem> sourceProblems, IReadOnlyCollection<string>? only = null)
    {
        var sources = new List<ICollectionSource>();
        foreach (var (name, config) in context.Config.Sources.Enabled())
        {
            if (only is { Count: > 0 } && !only.Contains(name)) continue;
            var problems = sourceProblems.Where(p => p.Path.StartsWith($"sources.{name}.", StringComparison.Ordinal) || p.Path == $"sources.{name}").ToList();
            sources.Add(problems.Count > 0
                ? new MisconfiguredSource(name, string.Join("; ", problems), SourceGranularity.Of(name, config))
                : Create(name, config, context));
        }
        return sources;
    }

    private static ICollectionSource Create(string name, SourceConfig config, SourceContext context) => config switch
    {
        SubscriptionsSourceConfig s => new SubscriptionsSource(s, context.Clock),
        FileSourceConfig f when name == "manual" => new ManualSource(f, context),
        FileSourceConfig f => new RequestsSource(f, context),
        OpenAiSourceConfig o => new OpenAiSource(o, context),
        AnthropicSourceConfig a => new AnthropicSource(a, context),
        CopilotSourceConfig c => new CopilotSource(c, context),
        LiteLlmSourceConfig l => new LiteLlmSource(l, context),
        _ => new MisconfiguredSource(name, $"the {name} source is collected by a later version of token-telemetry", SourceGranularity.Of(name, config)),
    };
}
