using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Commands;

/// <summary>
/// What `pricing update` says after caching a table: for the models in use (stored rows with a computed or unknown
/// cost) whose entry or rates changed, old → new per rate, and the `reprice` that would carry the change into the stored
/// rows. A database that cannot be reached is a warning: the table is cached all the same.
/// </summary>
public static class PriceUpdateReport
{
    public static async Task PrintAsync(Instance instance, PriceTable current, PriceTable updated, bool usesUrl, CancellationToken ct)
    {
        IReadOnlyList<(string ModelId, string Provider, DateTimeOffset First)> models;
        try
        {
            await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
            await using var connection = await database.OpenConnectionAsync(ct);
            models = await new RepriceStore(database.Schema).ModelsInUseAsync(connection, ct);
        }
        catch (Exception e) when (e is TelemetryException or NpgsqlException)
        {
            Terminal.Warning($"cannot tell which models are in use ({e.Message}); `pricing show <model>` shows a model's rates");
            return;
        }
        var changes = PriceDiff.Compare(current, updated, models.Select(m => (m.ModelId, (string?)m.Provider)));
        if (changes.Count == 0)
        {
            Terminal.Out($"none of the {models.Count} model(s) in use changed price against {current.Source}");
            return;
        }
        Terminal.Out($"{changes.Count} of {models.Count} model(s) in use price differently than with {current.Source}:");
        foreach (var change in changes)
        {
            var overridden = instance.Config.Pricing.Overrides.ContainsKey(change.NewKey ?? change.OldKey ?? "");
            Terminal.Out($"  {PriceDiff.Describe(change)}{(overridden ? " (pricing.overrides wins over the table for its rates while in force)" : "")}");
        }
        var from = models.Where(m => changes.Any(c => c.Model == m.ModelId && c.Provider == m.Provider)).Min(m => m.First);
        Terminal.Out(usesUrl
            ? $"stored rows keep their cost until you run `token-telemetry reprice --from {from:yyyy-MM-dd'T'HH:mm:ss'Z'}` (`--dry-run` shows old → new first)"
            : "stored rows keep their cost: set pricing.source: url to price with this table, then run `token-telemetry reprice`");
    }
}
