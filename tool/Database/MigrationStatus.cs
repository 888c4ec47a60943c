namespace TokenTelemetry.Database;

/// <summary>What migrate --status shows: applied rows, pending files, and files changed after they were applied.</summary>
public sealed record MigrationStatus(
    IReadOnlyList<AppliedMigration> Applied,
    IReadOnlyList<Migration> Pending,
    IReadOnlyList<Migration> Changed,
    IReadOnlyList<AppliedMigration> Unknown);
