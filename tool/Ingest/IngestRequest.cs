using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>What to ingest and how: the one description `import` and the file sources (`requests`, `manual`) hand to
/// <see cref="FileIngest"/>, so that both doors share one write path and one set of call identities.</summary>
public sealed record IngestRequest
{
    /// <summary>A file, a folder, or "-" for standard input.</summary>
    public required string Path { get; init; }
    /// <summary>Relative paths start here (the current folder for `import`, the instance folder for sources).</summary>
    public required string BaseDirectory { get; init; }
    /// <summary>auto, a route name, or rows (aggregate CSV/JSON rows).</summary>
    public string Format { get; init; } = "auto";
    /// <summary>Treat the input as aggregate rows; when null, decided from the files (CSV, or JSON with window_start).</summary>
    public bool? Rows { get; init; }
    /// <summary>source_system of the rows written (aggregate rows may name their own).</summary>
    public required string SourceSystem { get; init; }
    /// <summary>user_id and project_id of the calls (aggregate rows take <see cref="RowUserId"/>/<see cref="RowProjectId"/>).</summary>
    public string? UserId { get; init; }
    public string? ProjectId { get; init; }
    /// <summary>user_id / project_id for aggregate rows that leave theirs blank: only what the user passed explicitly
    /// (`import --user-id`), never identity.user_id — the same file through the `manual` source must give the same rows.</summary>
    public string? RowUserId { get; init; }
    public string? RowProjectId { get; init; }
    public Granularity Granularity { get; init; } = Granularity.Hour;
    /// <summary>Provider recorded instead of the route's own (the identity still uses the route's).</summary>
    public string? Provider { get; init; }
    /// <summary>The time of calls whose payload and log envelope carry none (--at, or the source's `at`).</summary>
    public DateTimeOffset? At { get; init; }
    /// <summary>How the user sets <see cref="At"/>, for the rejection hint ("--at T" or "sources.requests.at").</summary>
    public string AtHint { get; init; } = "--at T";
    /// <summary>Rebuild the rows this input touches from this input alone (calls of other inputs in them are dropped).</summary>
    public bool Replace { get; init; }
    /// <summary>A snapshot of aggregate rows (the `manual` source): over the span the files cover, rows of this
    /// source_system they no longer produce are deleted — but only when every line parsed.</summary>
    public bool Snapshot { get; init; }
    /// <summary>A rejected record fails the source (the `manual` source: its files are written by hand and must be
    /// fixed), rather than being a warning.</summary>
    public bool FailOnRejection { get; init; }
    /// <summary>Rows this source_system wrote before V0002 are replaced by what the input counts, whatever files they
    /// recorded (the `requests` source: its folder was the whole truth then, as it is now).</summary>
    public bool TakesOverItsLegacyRows { get; init; }
    /// <summary>The retention horizon, read by the ingest under its lock: calls and rows before it are rejected.</summary>
    public DateTimeOffset? RetainedFrom { get; init; }

    /// <summary>How long to wait for another ingest of the schema to release the ingest lock; null: as long as it takes
    /// (`import`, which a person can interrupt). A collect waits at most one cycle, then fails the source.</summary>
    public TimeSpan? LockWait { get; init; }
}
