namespace TokenTelemetry.Configuration;

/// <summary>GitHub Copilot metrics reports and premium-request billing usage.</summary>
public sealed record CopilotSourceConfig : SourceConfig
{
    public string? Token { get; init; }
    public string? Organization { get; init; }
    public string? Enterprise { get; init; }
}
