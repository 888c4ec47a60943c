using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.UseCases;

/// <summary>`reprice`: stored rows' costs recomputed from their token columns with the current table, overrides and
/// discounts, one transaction per day (docs/pricing.md). The pricer's warnings are summarised once at the end.</summary>
public sealed class RepriceStored(Instance instance, Feedback feedback)
{
    public async Task<(RepriceResult Result, string Snapshot)> RunAsync(RepriceRequest request, CancellationToken ct)
    {
        var context = await CollectionSetup.ContextAsync(instance, feedback.Warn, ct);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        feedback.Log.LogDebug("reprice: config {ConfigPath}; snapshot {Snapshot}", instance.ConfigPath, context.Pricer.Rules.SnapshotId);
        var result = await new Repricer(database, context.Pricer, feedback.Progress).RunAsync(request, ct);
        if (context.Pricer.Warnings.Summary() is { } summary) feedback.Warn(summary);
        feedback.Log.LogDebug("reprice: {Days} day(s), {Changed} row(s) changed", result.Days, result.Changed);
        return (result, context.Pricer.Rules.SnapshotId);
    }
}
