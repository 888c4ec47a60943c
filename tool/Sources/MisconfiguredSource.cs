using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>An enabled source whose config section has problems (an unset admin key, say): it fails alone, with the
/// problems as its watchdog message, and the other sources still run. It keeps the granularity its section asks for, so
/// its freshness threshold is the one the watchdog uses.</summary>
public sealed class MisconfiguredSource(string name, string problems, Granularity granularity) : ICollectionSource
{
    public string Name => name;
    public SourceCapabilities Capabilities { get; } = new() { Granularity = granularity, Windowed = false };

    public Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct) =>
        throw new SourceException($"misconfigured: {problems} — fix config.yaml or .env");
}
