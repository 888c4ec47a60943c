using TokenTelemetry.Model;

namespace TokenTelemetry.Sources;

/// <summary>What a source returns for a range: canonical rows, cost-report lines and quota readings. Sources never
/// write to the database; the engine owns windows, watermarks and transactions.</summary>
public sealed record SourceBatch
{
    public IReadOnlyList<TokenUsageRow> Rows { get; init; } = [];
    public IReadOnlyList<BilledCostRow> BilledCosts { get; init; } = [];
    /// <summary>The bucket range the billed costs cover (replaced whole), when there are any.</summary>
    public CollectionRange? BilledRange { get; init; }
    public IReadOnlyList<MeterRow> Meters { get; init; } = [];
    /// <summary>Problems worth a warning that did not fail the source (rejected records, unpriced models, …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>File sources return what to ingest instead of rows: the engine runs it through the one ingest path
    /// (<see cref="Ingest.FileIngest"/>) that `import` uses.</summary>
    public Ingest.IngestRequest? Ingest { get; init; }
}
