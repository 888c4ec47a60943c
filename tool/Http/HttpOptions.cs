namespace TokenTelemetry.Http;

/// <summary>Deadline and retry policy of <see cref="SourceHttp"/> (DESIGN invariant 7).</summary>
public sealed record HttpOptions
{
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(15);
    public int MaxRetries { get; init; } = 3;
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Takes the instance's secrets out of error messages (a provider may echo a key in its error body).</summary>
    public Configuration.SecretRedactor Redactor { get; init; } = Configuration.SecretRedactor.None;
}
