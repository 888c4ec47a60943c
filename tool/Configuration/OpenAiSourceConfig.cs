namespace TokenTelemetry.Configuration;

/// <summary>OpenAI Organization Usage and Costs APIs, read with an admin key.</summary>
public sealed record OpenAiSourceConfig : SourceConfig
{
    public string? AdminKey { get; init; }
    /// <summary>1h or 1d.</summary>
    public string BucketWidth { get; init; } = "1h";
    public bool Costs { get; init; } = true;
}
