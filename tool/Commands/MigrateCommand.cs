using Cocona;
using TokenTelemetry.Database;

namespace TokenTelemetry.Commands;

public sealed class MigrateCommand
{
    [Command("migrate", Description = "Apply pending sql/ migrations under an advisory lock, one transaction each")]
    public async Task<int> Migrate(
        GlobalOptions global,
        [Option("dry-run", Description = "Print the SQL that would run; change nothing")] bool dryRun = false,
        [Option(Description = "List applied and pending migrations; exit 1 if an applied file changed")] bool status = false,
        [Option("print-reader-sql", Description = "Print the SQL a DBA runs to create grafana.reader_role when the owner lacks CREATEROLE (password as a SCRAM verifier); connects to nothing")] bool printReaderSql = false)
    {
        var ct = ProcessLifetime.Token;
        var instance = InstanceLoading.Load(global, requireSources: false);
        if (printReaderSql)
        {
            Invocation.Current.Terminal.Out.Write(ReaderSql(instance));
            return 0;
        }
        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        var migrator = new Migrator(database.Schema);

        if (status) return await PrintStatusAsync(migrator, connection, database, ct);
        if (dryRun)
        {
            Invocation.Current.Terminal.Out.Write(await migrator.DryRunAsync(connection, ct));
            return 0;
        }
        var role = instance.Config.Grafana.ReaderRole;
        if (!string.IsNullOrEmpty(role)) await ReaderRole.CheckAsync(connection, role, ct);
        var applied = await migrator.MigrateAsync(connection, Terminal.Progress, ct);
        var total = (await migrator.StatusAsync(connection, ct)).Applied.Count;
        if (!string.IsNullOrEmpty(role))
            foreach (var note in await ReaderRole.EnsureAsync(connection, database.Schema, role, instance.Config.Grafana.ReaderPassword, ct))
                Terminal.Progress(note);
        Terminal.Out(applied.Count == 0
            ? $"schema {database.Schema} at {database.Location} is up to date ({total} migration(s) applied)"
            : $"applied {string.Join(", ", applied.Select(m => m.FileName))} to schema {database.Schema} at {database.Location}");
        return 0;
    }

    private static string ReaderSql(Configuration.Instance instance)
    {
        var (grafana, pg) = (instance.Config.Grafana, instance.Config.Postgres);
        if (string.IsNullOrEmpty(grafana.ReaderRole))
            throw new TelemetryException($"grafana.reader_role is not set in {instance.ConfigPath}", "name the read-only role Grafana connects as, e.g. reader_role: grafana_reader");
        if (string.IsNullOrEmpty(grafana.ReaderPassword))
            throw new TelemetryException("grafana.reader_password is empty, so the role would have no password", "set GRAFANA_READER_PASSWORD in the instance's .env");
        var target = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionStrings.FromConfig(pg));
        var (database, location, owner) = pg.Embedded ? (pg.Database, "the embedded cluster", "postgres") : (target.Database!, $"{target.Host}:{target.Port}", target.Username!);
        return ReaderRole.DbaScript(grafana.ReaderRole, grafana.ReaderPassword, database, location, owner, new SchemaName(pg.Schema));
    }

    private static async Task<int> PrintStatusAsync(Migrator migrator, Npgsql.NpgsqlConnection connection, TelemetryDatabase database, CancellationToken ct)
    {
        var s = await migrator.StatusAsync(connection, ct);
        Terminal.Out($"schema {database.Schema} at {database.Location}");
        foreach (var a in s.Applied)
        {
            var state = s.Changed.Any(c => c.Version == a.Version) ? "CHANGED since applied"
                : s.Unknown.Contains(a) ? "unknown to this tool" : "applied";
            Terminal.Out($"  V{a.Version:D4} {a.Name,-30} {state,-22} {a.AppliedAt:yyyy-MM-dd HH:mm:ss}Z by {a.ToolVersion}");
        }
        foreach (var p in s.Pending) Terminal.Out($"  V{p.Version:D4} {p.Name,-30} pending");
        return s.Changed.Count > 0 || s.Unknown.Count > 0 ? 1 : 0;
    }
}
