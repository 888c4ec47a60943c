namespace TokenTelemetry.Database;

/// <summary>A row of schema_migrations.</summary>
public sealed record AppliedMigration(int Version, string Name, string Checksum, DateTime AppliedAt, string ToolVersion);
