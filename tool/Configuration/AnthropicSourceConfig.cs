namespace TokenTelemetry.Configuration;

/// <summary>Anthropic Admin API usage and cost reports, read with an admin key.</summary>
public sealed record AnthropicSourceConfig : SourceConfig
{
    public string? AdminKey { get; init; }
    /// <summary>1h or 1d.</summary>
    public string BucketWidth { get; init; } = "1h";
    public bool Costs { get; init; } = true;
}
