namespace TokenTelemetry.Configuration;

public sealed record IdentityConfig
{
    /// <summary>The user rows are attributed to when a source or import names none; empty = org level (NULL).</summary>
    public string? UserId { get; init; }
}
