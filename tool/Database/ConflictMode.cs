namespace TokenTelemetry.Database;

/// <summary>How a migrated schema enforces its NULL-aware conflict keys, which decides the writer's ON CONFLICT.</summary>
public enum ConflictMode
{
    /// <summary>PostgreSQL ≥ 15: one UNIQUE NULLS NOT DISTINCT constraint.</summary>
    NullsNotDistinct,
    /// <summary>PostgreSQL 13–14: one partial unique index per NULL/NOT NULL combination of the nullable key columns.</summary>
    PartialIndexes,
}
