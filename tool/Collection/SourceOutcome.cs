using TokenTelemetry.Sources;

namespace TokenTelemetry.Collection;

/// <summary>How one source's part of a cycle ended.</summary>
public enum SourceStatus
{
    Ok,
    Failed,
    /// <summary>Another collector held this source's lock; this run left it alone.</summary>
    Skipped,
}

/// <summary>One source's result in a cycle: status, the range collected, rows written and the reason when not ok.</summary>
public sealed record SourceOutcome(string Source, SourceStatus Status, string Message, CollectionRange? Range = null, int Windows = 0, long Rows = 0);
