using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// grafana.reader_role with a least-privilege owner (no SUPERUSER, CREATEDB or CREATEROLE; owns its schema): migrate
/// refuses in one line naming the missing grant and changes nothing; --print-reader-sql gives a DBA the statements
/// (password as a SCRAM verifier); after the DBA runs them, migrate grants the role SELECT and nothing more.
/// </summary>
public sealed class ReaderRoleLeastPrivilegeTests
{
    private static async Task<(ScheduledInstance Instance, string Role)> InstanceAsync(string readerPassword)
    {
        var instance = await ScheduledInstance.CreateAsync();
        var role = "tt_reader_" + instance.Db.Owner[^10..];
        File.AppendAllText(instance.File("config.yaml"), $"grafana:\n  reader_role: {role}\n  reader_password: ${{GRAFANA_READER_PASSWORD}}\n");
        File.AppendAllText(instance.File(".env"), $"GRAFANA_READER_PASSWORD={readerPassword}\n");
        return (instance, role);
    }

    private static async Task RunAsDbaAsync(OwnerDatabase db, string sql)
    {
        await using var dba = new NpgsqlConnection(db.AdminDatabaseConnectionString);
        await dba.OpenAsync();
        await dba.ExecuteAsync(sql);
    }

    private static string Reader(OwnerDatabase db, string role, string password) =>
        new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Password = password }.ConnectionString;

    [Fact]
    public async Task Without_createrole_migrate_fails_in_one_line_naming_the_grant_and_applies_nothing()
    {
        var (instance, role) = await InstanceAsync("r3ader$ecret");
        using var _ = instance;
        var result = await instance.RunAsync("migrate");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe([
            $"error: cannot create the Grafana reader role {role} (grafana.reader_role): {instance.Db.Owner} lacks CREATEROLE; nothing was changed " +
            $"(have a DBA run the SQL that `token-telemetry migrate --print-reader-sql` prints, or ALTER ROLE {instance.Db.Owner} CREATEROLE; then run migrate again)"]);
        await using var owner = new NpgsqlConnection(instance.Db.ConnectionString);
        (await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'telemetry'")).ShouldBe(0);
        (await owner.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role)", new { role })).ShouldBeFalse();
    }

    [Fact]
    public async Task A_dba_runs_the_printed_sql_then_migrate_grants_the_reader_select_on_present_and_future_tables()
    {
        var (instance, role) = await InstanceAsync("r3ader$ecret");
        using var _ = instance;
        var printed = await instance.RunAsync("migrate", "--print-reader-sql");
        printed.ExitCode.ShouldBe(0, printed.Stderr);
        printed.Stdout.ShouldNotContain("r3ader$ecret");
        printed.StdoutLines.Where(l => !l.StartsWith("--", StringComparison.Ordinal)).Select(l => l.Contains("SCRAM-SHA-256$4096:", StringComparison.Ordinal) ? l[..l.IndexOf("SCRAM", StringComparison.Ordinal)] : l).ShouldBe([
            "DO $tt$", "BEGIN", $"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN", $"    CREATE ROLE \"{role}\";", "  END IF;", "END", "$tt$;",
            $"ALTER ROLE \"{role}\" WITH LOGIN PASSWORD '", $"ALTER ROLE \"{role}\" SET jit = off;", $"GRANT CONNECT ON DATABASE \"{instance.Db.Database}\" TO \"{role}\";"]);
        printed.StdoutLines[0].ShouldBe($"-- token-telemetry migrate --print-reader-sql: the Grafana reader role {role} (grafana.reader_role).");

        await RunAsDbaAsync(instance.Db, printed.Stdout);
        var migrate = await instance.RunAsync("migrate");
        migrate.ExitCode.ShouldBe(0, migrate.Stderr);
        migrate.StdoutLines.ShouldHaveSingleItem().ShouldStartWith("applied V0001__init.sql");
        migrate.StdoutLines[0].ShouldEndWith($" to schema telemetry at {instance.Db.Host}:{instance.Db.Port}/{instance.Db.Database}");
        migrate.StderrLines.ShouldContain($"role {role} exists (created by a DBA); {instance.Db.Owner} lacks CREATEROLE, so its password stays as the DBA set it");

        await using (var owner = new NpgsqlConnection(instance.Db.ConnectionString))
            await owner.ExecuteAsync("CREATE TABLE telemetry.later (x int); INSERT INTO telemetry.later VALUES (7)"); // as a later migration would
        await using var reader = new NpgsqlConnection(Reader(instance.Db, role, "r3ader$ecret"));
        await reader.OpenAsync();
        (await reader.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(0);
        (await reader.ExecuteScalarAsync<int>("SELECT x FROM telemetry.later")).ShouldBe(7);
        (await Should.ThrowAsync<PostgresException>(() => reader.ExecuteAsync("DELETE FROM telemetry.watchdog_status"))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await Should.ThrowAsync<PostgresException>(() => reader.ExecuteAsync("CREATE TABLE telemetry.mine (x int)"))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        var attributes = await reader.QuerySingleAsync<(bool Super, bool CreateRole, bool CreateDb)>("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user");
        attributes.ShouldBe((false, false, false));

        // Re-running the printed SQL resets the password (rotation); migrate again is a no-op.
        File.AppendAllText(instance.File(".env"), "GRAFANA_READER_PASSWORD=rotated-$2\n");
        await RunAsDbaAsync(instance.Db, (await instance.RunAsync("migrate", "--print-reader-sql")).Stdout);
        await using (var rotated = new NpgsqlConnection(Reader(instance.Db, role, "rotated-$2")))
            (await rotated.QuerySingleAsync<int>("SELECT 1")).ShouldBe(1);
        (await instance.RunAsync("migrate")).StdoutLines.ShouldHaveSingleItem().ShouldStartWith($"schema telemetry at {instance.Db.Host}:{instance.Db.Port}/{instance.Db.Database} is up to date");
    }

    [Fact]
    public async Task Print_reader_sql_needs_a_role_and_a_password()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        var noRole = await instance.RunAsync("migrate", "--print-reader-sql");
        noRole.ExitCode.ShouldBe(1);
        noRole.StderrLines.ShouldBe([$"error: grafana.reader_role is not set in {instance.File("config.yaml")} (name the read-only role Grafana connects as, e.g. reader_role: grafana_reader)"]);
        File.AppendAllText(instance.File("config.yaml"), "grafana:\n  reader_role: grafana_reader\n  reader_password: ${GRAFANA_READER_PASSWORD:-}\n");
        var noPassword = await instance.RunAsync("migrate", "--print-reader-sql");
        noPassword.ExitCode.ShouldBe(1);
        noPassword.StderrLines.ShouldBe(["error: grafana.reader_password is empty, so the role would have no password (set GRAFANA_READER_PASSWORD in the instance's .env)"]);
    }
}
