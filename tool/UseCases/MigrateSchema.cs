using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;

namespace TokenTelemetry.UseCases;

/// <summary>`migrate`: apply the pending migrations (one transaction each, under an advisory lock) and keep Grafana's
/// read-only role in step; or show the status, the SQL a dry run would execute, or the SQL a DBA runs for the role.</summary>
public sealed class MigrateSchema(Instance instance, Feedback feedback)
{
    public sealed record Outcome(SchemaName Schema, string Location, IReadOnlyList<Migration> Applied, int Total);
    public sealed record State(SchemaName Schema, string Location, MigrationStatus Status);

    public async Task<Outcome> RunAsync(CancellationToken ct)
    {
        feedback.Log.LogDebug("migrate: config {ConfigPath}", instance.ConfigPath);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        var migrator = new Migrator(database.Schema);
        var role = instance.Config.Grafana.ReaderRole;
        if (!string.IsNullOrEmpty(role)) await ReaderRole.CheckAsync(connection, role, ct);
        var applied = await migrator.MigrateAsync(connection, feedback.Progress, ct);
        var total = (await migrator.StatusAsync(connection, ct)).Applied.Count;
        if (!string.IsNullOrEmpty(role))
            foreach (var note in await ReaderRole.EnsureAsync(connection, database.Schema, role, instance.Config.Grafana.ReaderPassword, ct))
                feedback.Progress(note);
        feedback.Log.LogDebug("migrate: {Applied} applied now, {Total} in all, schema {Schema}", applied.Count, total, database.Schema.Name);
        return new Outcome(database.Schema, database.Location, applied, total);
    }

    public async Task<State> StatusAsync(CancellationToken ct)
    {
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        return new State(database.Schema, database.Location, await new Migrator(database.Schema).StatusAsync(connection, ct));
    }

    public async Task<string> DryRunAsync(CancellationToken ct)
    {
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        return await new Migrator(database.Schema).DryRunAsync(connection, ct);
    }

    /// <summary>The SQL a DBA runs to create grafana.reader_role when the owner lacks CREATEROLE; connects to nothing.</summary>
    public string ReaderSql()
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
}
