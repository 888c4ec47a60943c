using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// The read-only role Grafana connects as (grafana.reader_role): LOGIN, USAGE on the schema and SELECT on its
/// tables, present and future — nothing else, so a dashboard can never write — and JIT compilation off. `migrate`
/// creates or updates it when the migrating user may (superuser or CREATEROLE); a least-privilege owner without
/// CREATEROLE leaves the role to a DBA (<see cref="DbaScript"/>) and only grants it SELECT on what it owns.
/// </summary>
public static class ReaderRole
{
    private sealed record Privileges(string Me, bool Super, bool CreateRole, bool RoleExists, bool RoleCanLogin);

    private static async Task<Privileges> ReadAsync(NpgsqlConnection connection, string role, CancellationToken ct) =>
        await connection.QuerySingleAsync<Privileges>(new CommandDefinition("""
            SELECT current_user AS me, r.rolsuper AS super, r.rolcreaterole AS createrole,
                   t.rolname IS NOT NULL AS roleexists, coalesce(t.rolcanlogin, false) AS rolecanlogin
            FROM pg_catalog.pg_roles r LEFT JOIN pg_catalog.pg_roles t ON t.rolname = @role
            WHERE r.rolname = current_user
            """, new { role }, cancellationToken: ct));

    /// <summary>Before migrate changes anything: a role that does not exist must be creatable by this user.</summary>
    public static async Task CheckAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        var p = await ReadAsync(connection, role, ct);
        if (!p.RoleExists && !p.Super && !p.CreateRole)
            throw new TelemetryException(
                $"cannot create the Grafana reader role {role} (grafana.reader_role): {p.Me} lacks CREATEROLE; nothing was changed",
                $"have a DBA run the SQL that `token-telemetry migrate --print-reader-sql` prints, or ALTER ROLE {p.Me} CREATEROLE; then run migrate again");
    }

    /// <summary>Creates or updates the role where this user may, then grants it read access; returns what to tell the user.</summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(NpgsqlConnection connection, SchemaName schema, string role, string? password, CancellationToken ct)
    {
        var quoted = new SchemaName(role).Quoted; // the same identifier rules as a schema name
        var p = await ReadAsync(connection, role, ct);
        var notes = new List<string>();
        // Passwords cannot be bound parameters in CREATE/ALTER ROLE, so send the SCRAM verifier (base64 and '$',
        // safe as a literal) instead of the secret: a DDL-logging server records only the verifier.
        var passwordClause = string.IsNullOrEmpty(password) ? "" : $" PASSWORD '{ScramVerifier.Create(password)}'";
        if (passwordClause.Length == 0 && (p.Super || p.CreateRole))
            notes.Add($"grafana.reader_password is empty: role {role} gets no password and cannot log in with one (set GRAFANA_READER_PASSWORD in the instance's .env and run migrate again)");
        if (!p.RoleExists || p.Super || p.CreateRole)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition($"{(p.RoleExists ? "ALTER" : "CREATE")} ROLE {quoted} LOGIN{passwordClause}", cancellationToken: ct));
                // A dashboard query runs in milliseconds; compiling it with JIT (which Postgres does past jit_above_cost,
                // counting the rollup branches a query never runs) takes 50 ms and more.
                await connection.ExecuteAsync(new CommandDefinition($"ALTER ROLE {quoted} SET jit = off", cancellationToken: ct));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && p.RoleExists)
            {
                notes.Add($"role {role} exists and {p.Me} may not alter it ({e.MessageText}); its password stays as its owner set it");
            }
        }
        else
        {
            notes.Add($"role {role} exists (created by a DBA); {p.Me} lacks CREATEROLE, so its password stays as the DBA set it");
            if (!p.RoleCanLogin) notes.Add($"role {role} cannot log in: a DBA must run ALTER ROLE {role} LOGIN");
        }
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition($"""
            GRANT USAGE ON SCHEMA {schema.Quoted} TO {quoted};
            GRANT SELECT ON ALL TABLES IN SCHEMA {schema.Quoted} TO {quoted};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema.Quoted} GRANT SELECT ON TABLES TO {quoted};
            """, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        notes.Add($"read-only role {role}: SELECT on schema {schema} (present and future tables)");
        return notes;
    }

    /// <summary>
    /// The statements a DBA (a superuser, or a role with CREATEROLE) runs once for an owner without CREATEROLE:
    /// create the role or reset its password — as a SCRAM verifier, never the clear secret — and let it connect.
    /// Idempotent. The grants on the schema are migrate's, run as the schema owner.
    /// </summary>
    public static string DbaScript(string role, string password, string database, string location, string owner, SchemaName schema)
    {
        var quoted = new SchemaName(role).Quoted;
        var verifier = ScramVerifier.Create(password);
        var quotedDatabase = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return $"""
            -- token-telemetry migrate --print-reader-sql: the Grafana reader role {role} (grafana.reader_role).
            -- Run once as a superuser or a role with CREATEROLE, in database {database} on {location}; running it again
            -- resets the password. The password is given as its SCRAM-SHA-256 verifier, never in clear.
            -- Then `token-telemetry migrate`, as {owner}, grants the role USAGE on schema {schema.Quoted} and SELECT on its
            -- tables, present and future.
            DO $tt$
            BEGIN
              IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {quoted};
              END IF;
            END
            $tt$;
            ALTER ROLE {quoted} WITH LOGIN PASSWORD '{verifier}';
            -- Dashboard queries run in milliseconds; JIT compiling them costs more than it saves.
            ALTER ROLE {quoted} SET jit = off;
            GRANT CONNECT ON DATABASE {quotedDatabase} TO {quoted};

            """;
    }
}
