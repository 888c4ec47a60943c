using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// Applies the embedded sql/ migrations to one schema: under a session advisory lock (two migrate runs never
/// interleave), one transaction per file with search_path set to the schema, recording each file's SHA-256 in
/// schema_migrations. A file changed after it was applied is fatal, as is a database newer than the tool. Then the
/// partitions of token_usage for this month and the next ones are made, so that writes find them.
/// </summary>
public sealed class Migrator(SchemaName schema, IReadOnlyList<Migration> migrations, string toolVersion)
{
    public Migrator(SchemaName schema) : this(schema, Migration.LoadEmbedded(), ToolInfo.Version) { }

    public async Task<MigrationStatus> StatusAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var applied = await ReadAppliedAsync(connection, ct);
        var byVersion = applied.ToDictionary(a => a.Version);
        var known = migrations.Select(m => m.Version).ToHashSet();
        return new MigrationStatus(
            applied,
            migrations.Where(m => !byVersion.ContainsKey(m.Version)).ToList(),
            migrations.Where(m => byVersion.TryGetValue(m.Version, out var a) && a.Checksum != m.Checksum).ToList(),
            applied.Where(a => !known.Contains(a.Version)).ToList());
    }

    /// <summary>The SQL that migrate would run now, file by file, as a script a person can read or run with psql.</summary>
    public async Task<string> DryRunAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var status = await StatusAsync(connection, ct);
        ThrowIfUnsafe(status);
        var script = new StringBuilder();
        script.Append($"-- token-telemetry migrate --dry-run: {status.Pending.Count} pending migration(s) for schema {schema.Quoted}\n");
        if (!await SchemaExistsAsync(connection, ct)) script.Append($"CREATE SCHEMA {schema.Quoted};\n");
        script.Append(CreateMigrationsTableSql()).Append(";\n");
        foreach (var m in status.Pending)
        {
            script.Append($"\n-- {m.FileName} (sha256 {m.Checksum})\nBEGIN;\nSET LOCAL search_path TO {schema.Quoted};\n");
            script.Append(m.Sql.TrimEnd()).Append('\n');
            script.Append($"INSERT INTO {schema.Quoted}.schema_migrations (version, name, checksum, tool_version) VALUES ({m.Version}, '{m.Name}', '{m.Checksum}', '{toolVersion}');\nCOMMIT;\n");
        }
        return script.ToString();
    }

    /// <summary>Applies every pending migration; returns those applied (none when already up to date).</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(NpgsqlConnection connection, Action<string>? progress, CancellationToken ct)
    {
        var lockKey = AdvisoryLockKey(schema);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: ct)))
        {
            progress?.Invoke("another migrate run holds the lock on this schema; waiting for it to finish");
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: ct));
        }
        try
        {
            if (!await SchemaExistsAsync(connection, ct))
                await connection.ExecuteAsync(new CommandDefinition($"CREATE SCHEMA {schema.Quoted}", cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(CreateMigrationsTableSql(), cancellationToken: ct));
            var status = await StatusAsync(connection, ct);
            ThrowIfUnsafe(status);
            foreach (var migration in status.Pending)
            {
                progress?.Invoke($"applying {migration.FileName}");
                await ApplyAsync(connection, migration, ct);
            }
            await EnsurePartitionsAheadAsync(connection, progress, ct);
            return status.Pending;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@lockKey)", new { lockKey });
        }
    }

    /// <summary>token_usage's partitions for this month and the next ones (V0003 on), so that writes find them made.</summary>
    private async Task EnsurePartitionsAheadAsync(NpgsqlConnection connection, Action<string>? progress, CancellationToken ct)
    {
        var partitioned = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regprocedure(@function) IS NOT NULL", new { function = $"{schema.Quoted}.token_usage_partition(timestamptz)" }, cancellationToken: ct));
        if (!partitioned) return;
        var created = await new PartitionStore(schema).EnsureAheadAsync(connection, DateTimeOffset.UtcNow, ct);
        if (created > 0) progress?.Invoke($"made {created} month partition(s) of token_usage ahead");
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition($"SET LOCAL search_path TO {schema.Quoted}", transaction: transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {schema.Quoted}.schema_migrations (version, name, checksum, tool_version) VALUES (@Version, @Name, @Checksum, @toolVersion)",
                new { migration.Version, migration.Name, migration.Checksum, toolVersion }, transaction, cancellationToken: ct));
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            throw new TelemetryException($"{migration.FileName} failed and was rolled back: {e.MessageText} (SQLSTATE {e.SqlState})",
                "nothing of this file was applied; fix the cause and run migrate again", inner: e);
        }
    }

    private static void ThrowIfUnsafe(MigrationStatus status)
    {
        if (status.Changed.Count > 0)
        {
            var m = status.Changed[0];
            var stored = status.Applied.First(a => a.Version == m.Version).Checksum;
            throw new TelemetryException(
                $"{m.FileName} was changed after it was applied (sha256 {stored[..12]}… in the database, {m.Checksum[..12]}… in this tool)",
                "applied migrations are immutable: restore the file and put the change in a new V000N file");
        }
        if (status.Unknown.Count > 0)
            throw new TelemetryException(
                $"the database has migration V{status.Unknown[0].Version:D4} ({status.Unknown[0].Name}) that this tool does not know",
                "upgrade token-telemetry to the version that applied it");
    }

    private async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(@table) IS NOT NULL", new { table = $"{schema.Quoted}.schema_migrations" }, cancellationToken: ct));
        if (!exists) return [];
        var rows = await connection.QueryAsync<AppliedMigration>(new CommandDefinition(
            $"SELECT version, name, checksum, applied_at AS AppliedAt, tool_version AS ToolVersion FROM {schema.Quoted}.schema_migrations ORDER BY version",
            cancellationToken: ct));
        return rows.ToList();
    }

    private Task<bool> SchemaExistsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @name)", new { name = schema.Name }, cancellationToken: ct));

    private string CreateMigrationsTableSql() => $"""
        CREATE TABLE IF NOT EXISTS {schema.Quoted}.schema_migrations (
            version      integer PRIMARY KEY,
            name         text NOT NULL,
            checksum     text NOT NULL,
            applied_at   timestamptz NOT NULL DEFAULT now(),
            tool_version text NOT NULL
        )
        """;

    /// <summary>A stable 64-bit key per schema, so migrations of different schemas on one server do not wait on each other.</summary>
    internal static long AdvisoryLockKey(SchemaName schema) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("token-telemetry:migrate:" + schema.Name)));
}
