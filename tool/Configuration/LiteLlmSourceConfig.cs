namespace TokenTelemetry.Configuration;

/// <summary>LiteLLM proxy metrics read from Prometheus; <see cref="SourceConfig.BaseUrl"/> is the Prometheus URL.</summary>
public sealed record LiteLlmSourceConfig : SourceConfig
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? BearerToken { get; init; }
    /// <summary>Extra label matchers added to every query, e.g. job: litellm.</summary>
    public Dictionary<string, string> LabelMatchers { get; init; } = [];
    public string UserLabel { get; init; } = "end_user";
    public string ProjectLabel { get; init; } = "team";
    /// <summary>15min or hour; the granularity of the rows written.</summary>
    public string Window { get; init; } = "hour";
}
