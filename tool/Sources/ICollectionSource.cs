namespace TokenTelemetry.Sources;

/// <summary>A source turns a time range into canonical rows (DESIGN §7). It asks its provider for the whole range in
/// as few requests as it allows and throws <see cref="SourceException"/> when it cannot answer.</summary>
public interface ICollectionSource
{
    /// <summary>The source_system written on its rows, and its name in config and watchdog_status.</summary>
    string Name { get; }
    SourceCapabilities Capabilities { get; }
    Task<SourceBatch> CollectAsync(CollectionRange range, CancellationToken ct);
}
