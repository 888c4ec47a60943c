using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// The read-only role Grafana connects as (grafana.reader_role): LOGIN, USAGE on the schema and SELECT on its
/// tables, present and future — nothing else, so a dashboard can never write — and JIT compilation off. Created or updated
/// by `migrate`.
/// </summary>
public static class ReaderRole
{
    public static async Task EnsureAsync(NpgsqlConnection connection, SchemaName schema, string role, string? password, CancellationToken ct)
    {
        var quoted = new SchemaName(role).Quoted; // the same identifier rules as a schema name
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role)", new { role }, cancellationToken: ct));
        // Passwords cannot be bound parameters in CREATE/ALTER ROLE, so send the SCRAM verifier (base64 and '$',
        // safe as a literal) instead of the secret: a DDL-logging server records only the verifier.
        var passwordClause = string.IsNullOrEmpty(password) ? "" : $" PASSWORD '{ScramVerifier.Create(password)}'";
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(exists ? $"ALTER ROLE {quoted} LOGIN{passwordClause}" : $"CREATE ROLE {quoted} LOGIN{passwordClause}", transaction: tx, cancellationToken: ct));
        // A dashboard query runs in milliseconds; compiling it with JIT (which Postgres does past jit_above_cost, counting
        // the rollup branches a query never runs) takes 50 ms and more.
        await connection.ExecuteAsync(new CommandDefinition($"ALTER ROLE {quoted} SET jit = off", transaction: tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition($"""
            GRANT USAGE ON SCHEMA {schema.Quoted} TO {quoted};
            GRANT SELECT ON ALL TABLES IN SCHEMA {schema.Quoted} TO {quoted};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema.Quoted} GRANT SELECT ON TABLES TO {quoted};
            """, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
