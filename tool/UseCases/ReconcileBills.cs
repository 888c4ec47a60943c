using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Verification;

namespace TokenTelemetry.UseCases;

/// <summary>`reconcile`: computed against billed cost per billing source and day or month over [start, end) — the
/// query the spend dashboard's "Does it match the bill?" panel runs.</summary>
public sealed class ReconcileBills(Instance instance, Feedback feedback)
{
    public async Task<IReadOnlyList<ReconcileRow>> RunAsync(string by, DateTimeOffset start, DateTimeOffset end, string? provider, CancellationToken ct)
    {
        feedback.Log.LogDebug("reconcile: config {ConfigPath}; by {By}, {Start:u} → {End:u}", instance.ConfigPath, by, start, end);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        await SchemaInspector.RequireVersionAsync(connection, database.Schema, 5, ct);
        return await new Reconciler(database.Schema).RunAsync(connection, by, start, end, provider, ct);
    }
}
