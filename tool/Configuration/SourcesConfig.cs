namespace TokenTelemetry.Configuration;

/// <summary>One optional section per source kind the product ships (DESIGN §7).</summary>
public sealed record SourcesConfig
{
    public LiteLlmSourceConfig? Litellm { get; init; }
    public OpenAiSourceConfig? Openai { get; init; }
    public AnthropicSourceConfig? Anthropic { get; init; }
    public CopilotSourceConfig? Copilot { get; init; }
    public SubscriptionsSourceConfig? Subscriptions { get; init; }
    public FileSourceConfig? Manual { get; init; }
    public FileSourceConfig? Requests { get; init; }

    /// <summary>Every configured section by its YAML key, enabled or not.</summary>
    public IEnumerable<(string Name, SourceConfig Config)> All()
    {
        if (Litellm is not null) yield return ("litellm", Litellm);
        if (Openai is not null) yield return ("openai", Openai);
        if (Anthropic is not null) yield return ("anthropic", Anthropic);
        if (Copilot is not null) yield return ("copilot", Copilot);
        if (Subscriptions is not null) yield return ("subscriptions", Subscriptions);
        if (Manual is not null) yield return ("manual", Manual);
        if (Requests is not null) yield return ("requests", Requests);
    }

    public IEnumerable<(string Name, SourceConfig Config)> Enabled() => All().Where(s => s.Config.Enabled);

    /// <summary>The source kinds init knows, in the order it lists them.</summary>
    public static readonly IReadOnlyList<string> KnownKinds =
        ["litellm", "openai", "anthropic", "copilot", "subscriptions", "manual", "requests"];
}
