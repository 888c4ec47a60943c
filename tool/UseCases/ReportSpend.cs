using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Verification;

namespace TokenTelemetry.UseCases;

/// <summary>`report` (and demo's step 6): spend and tokens per group over [start, end), and their total.</summary>
public sealed class ReportSpend(Instance instance, Feedback feedback)
{
    public async Task<(IReadOnlyList<ReportRow> Rows, ReportRow Total)> RunAsync(string by, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        return await RunAsync(database, by, start, end, ct);
    }

    /// <summary>On a database already open (the demo's).</summary>
    public async Task<(IReadOnlyList<ReportRow> Rows, ReportRow Total)> RunAsync(TelemetryDatabase database, string by, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        feedback.Log.LogDebug("report: config {ConfigPath}; by {By}, {Start:u} → {End:u}", instance.ConfigPath, by, start, end);
        await using var connection = await database.OpenConnectionAsync(ct);
        var rows = await new SpendReport(database.Schema).RunAsync(connection, by, start, end, ct);
        feedback.Log.LogDebug("report: {Count} group(s)", rows.Count);
        return (rows, SpendReport.Total(rows));
    }
}
