namespace TokenTelemetry.Ingest;

/// <summary>What an ingest did: records read, calls newly counted, calls already counted (and under which other
/// source systems), rows written or deleted, meters, and the rejected records with file:line.</summary>
public sealed record IngestResult
{
    public long Records { get; init; }
    public long NewCalls { get; init; }
    public long AlreadyCounted { get; init; }
    /// <summary>Calls (or aggregate rows) skipped because another source_system, window or label set already counts them.</summary>
    public IReadOnlyDictionary<string, long> CountedElsewhere { get; init; } = new Dictionary<string, long>();
    public long RowsWritten { get; init; }
    public long RowsDeleted { get; init; }
    public long Meters { get; init; }
    /// <summary>Calls not counted yet: their file is still being written and their stream had not ended (docs/schema.md).</summary>
    public long Unfinished { get; init; }
    public IReadOnlyList<string> Rejections { get; init; } = [];
    /// <summary>Rejections beyond those listed (the list is capped so a hostile file cannot exhaust memory).</summary>
    public long MoreRejections { get; init; }
    public long RejectedCount => Rejections.Count + MoreRejections;

    public string Summary() =>
        $"{Records} record(s): {NewCalls} newly counted, {AlreadyCounted} already counted" +
        (CountedElsewhere.Count == 0 ? "" : $" ({string.Join(", ", CountedElsewhere.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} under {p.Key}"))})") +
        $"; {RowsWritten} row(s) written{(RowsDeleted > 0 ? $", {RowsDeleted} deleted" : "")}{(Meters > 0 ? $", {Meters} meter reading(s)" : "")}; {RejectedCount} rejected" +
        (Unfinished > 0 ? $"; {Unfinished} unfinished (still being written: counted on a later run)" : "");
}
