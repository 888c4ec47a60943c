using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Http;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;

namespace TokenTelemetry.UseCases;

/// <summary>What collect and import share: the instance's price table and pricing rules (loaded once) and the sources' context.</summary>
public static class CollectionSetup
{
    public static async Task<SourceContext> ContextAsync(Instance instance, Action<string> warn, CancellationToken ct)
    {
        var config = instance.Config;
        var deadline = TimeSpan.FromSeconds(config.Scheduler.HttpTimeoutSeconds);
        var rules = await new PriceTableLoader(config.Pricing, deadline, warn).LoadRulesAsync(ct);
        var clock = Clock();
        return new SourceContext(config, instance.Directory, new UsagePricer(rules, warn, clock),
            new HttpOptions { Deadline = deadline, RetryBaseDelay = RetryBaseDelay(), Redactor = SecretRedactor.For(config) }, clock, warn);
    }

    /// <summary>
    /// Records the snapshot (table and rules) the run priced with and the entries it used, which the rows' price_snapshot
    /// names (V0004). After the rows, in a transaction of its own: a snapshot that could not be recorded only means
    /// `pricing explain` explains those rows with the current table, so it is a warning, never a failed run.
    /// </summary>
    public static async Task RecordSnapshotAsync(TelemetryDatabase database, UsagePricer pricer, Action<string> warn, CancellationToken ct)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(ct);
            await new PriceSnapshotStore(database.Schema).RecordAsync(connection, null, pricer.Rules, ct);
        }
        catch (Npgsql.PostgresException e)
        {
            warn($"the price snapshot {pricer.Rules.SnapshotId} was not recorded ({e.MessageText}); `pricing explain` will explain these rows with the current table (run `token-telemetry migrate` if the schema is older than V0004)");
        }
    }

    /// <summary>TT_NOW (ISO 8601) pins "now" for window planning: replay a cycle as of that time.</summary>
    public static TimeProvider Clock() =>
        Invocation.Current.Variable("TT_NOW") is { Length: > 0 } now
            ? new FixedTimeProvider(IsoTime.Parse(now, "TT_NOW"))
            : TimeProvider.System;

    /// <summary>TT_HTTP_RETRY_BASE_MS shortens the retry backoff (tests replaying 429/500 use it); default 1 s.</summary>
    private static TimeSpan RetryBaseDelay() =>
        int.TryParse(Invocation.Current.Variable("TT_HTTP_RETRY_BASE_MS"), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(1);
}
