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
                ? new MisconfiguredSource(name, string.Join("; ", problems))
                : Create(name, config, context));
        }
        return sources;
    }

    /// <summary>The granularity a configured source writes, without building it (for freshness thresholds and checks).</summary>
    public static Usage.Granularity GranularityOf(SourceConfig config) => config switch
    {
        LiteLlmSourceConfig l => l.Window == "15min" ? Usage.Granularity.FifteenMinutes : Usage.Granularity.Hour,
        OpenAiSourceConfig o => o.BucketWidth == "1d" ? Usage.Granularity.Day : Usage.Granularity.Hour,
        AnthropicSourceConfig a => a.BucketWidth == "1d" ? Usage.Granularity.Day : Usage.Granularity.Hour,
        CopilotSourceConfig => Usage.Granularity.Day,
        SubscriptionsSourceConfig => Usage.Granularity.Day,
        FileSourceConfig => Usage.Granularity.Hour,
        _ => Usage.Granularity.Hour,
    };

    private static ICollectionSource Create(string name, SourceConfig config, SourceContext context) => config switch
    {
        SubscriptionsSourceConfig s => new SubscriptionsSource(s, context.Clock),
        FileSourceConfig f when name == "manual" => new ManualSource(f, context),
        FileSourceConfig f => new RequestsSource(f, context),
        OpenAiSourceConfig o => new OpenAiSource(o, context),
        AnthropicSourceConfig a => new AnthropicSource(a, context),
        CopilotSourceConfig c => new CopilotSource(c, context),
        LiteLlmSourceConfig l => new LiteLlmSource(l, context),
        _ => new MisconfiguredSource(name, $"the {name} source is collected by a later version of token-telemetry"),
    };
}
