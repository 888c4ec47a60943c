using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>Facts about a migrated schema that the writers depend on.</summary>
public static class SchemaInspector
{
    /// <summary>
    /// Read from the schema itself, not the server version: a schema migrated on PostgreSQL 14 keeps its partial
    /// indexes after an upgrade to 15, and the writer must target what is really there.
    /// </summary>
    public static async Task<ConflictMode> ConflictModeAsync(NpgsqlConnection connection, SchemaName schema, CancellationToken ct)
    {
        const string sql = """
            SELECT
              EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                      WHERE n.nspname = @name AND c.conname = 'token_usage_conflict_key'),
              EXISTS (SELECT 1 FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace
                      WHERE n.nspname = @name AND i.relname = 'token_usage_key_org')
            """;
        var (constraint, partial) = await connection.QuerySingleAsync<(bool, bool)>(new CommandDefinition(sql, new { name = schema.Name }, cancellationToken: ct));
        if (constraint) return ConflictMode.NullsNotDistinct;
        if (partial) return ConflictMode.PartialIndexes;
        throw new TelemetryException($"schema {schema.Name} has no token_usage conflict key", "run `token-telemetry migrate` first");
    }

    /// <summary>Refuses to work on a schema older than the tables this code needs (the tool was upgraded, `migrate`
    /// was not run yet): one line saying so, rather than a "relation does not exist" from Postgres.</summary>
    public static async Task RequireVersionAsync(NpgsqlConnection connection, SchemaName schema, int version, CancellationToken ct)
    {
        var applied = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"SELECT max(version) FROM {schema.Quoted}.schema_migrations", cancellationToken: ct));
        if (applied is null || applied < version)
            throw new TelemetryException($"schema {schema.Name} is at V{applied ?? 0:D4}, this version of token-telemetry needs V{version:D4}",
                "run `token-telemetry migrate` (it upgrades in place and keeps every row)");
    }
}
