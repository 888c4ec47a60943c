using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>An enabled source whose config section has problems (an unset admin key, say): it fails alone, with the
/// problems as its watchdog message, and the other sources still run.</summary>
public sealed class MisconfiguredSource(string name, string problems) : ICollectionSource
{
    public string Name => name;
    public SourceCapabilities Capabilities { get; } = new() { Granularity = Granularity.Hour, Windowed = false };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct) =>
        throw new SourceException($"misconfigured: {problems} — fix config.yaml or .env");
}
