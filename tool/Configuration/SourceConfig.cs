namespace TokenTelemetry.Configuration;

/// <summary>What every source section has. Credentials are written as ${ENV} references, never literally.</summary>
public abstract record SourceConfig
{
    public bool Enabled { get; init; }
    /// <summary>Always overridable: proxies, Azure, regional endpoints, test servers.</summary>
    public string? BaseUrl { get; init; }
}
