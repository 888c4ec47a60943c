using TokenTelemetry.Usage;

namespace TokenTelemetry.Sources;

/// <summary>
/// What a source is and reports (DESIGN §7), so the engine can plan its windows and `verify` can check NULL
/// semantics: a metric a source never reports must be NULL in its rows.
/// </summary>
public sealed record SourceCapabilities
{
    public required Granularity Granularity { get; init; }
    /// <summary>Windowed sources are collected window by window behind a watermark; snapshot sources (plans, files)
    /// are read whole each cycle and upserted in one transaction.</summary>
    public bool Windowed { get; init; } = true;
    /// <summary>The provider finalises late: every cycle re-collects the last lookback_days complete days.</summary>
    public bool FinalizesLate { get; init; }
    /// <summary>A window's rows are all the source has for it, so rows it no longer reports are removed.</summary>
    public bool AuthoritativeWindows { get; init; }
    public bool ReportsCacheReads { get; init; }
    public bool ReportsCacheWrites { get; init; }
    public bool ReportsReasoning { get; init; }
    public bool ReportsCost { get; init; }
    /// <summary>How far back the provider still has data (NULL = no stated limit).</summary>
    public TimeSpan? BackfillDepth { get; init; }
}
