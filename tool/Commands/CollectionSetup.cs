using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Commands;

/// <summary>What collect and import share: the instance's price table (loaded once) and the sources' context.</summary>
public static class CollectionSetup
{
    public static async Task<SourceContext> ContextAsync(Instance instance, CancellationToken ct)
    {
        var config = instance.Config;
        var deadline = TimeSpan.FromSeconds(config.Scheduler.HttpTimeoutSeconds);
        var table = await new PriceTableLoader(config.Pricing, deadline, Terminal.Warning).LoadAsync(ct);
        return new SourceContext(config, instance.Directory, new UsagePricer(table, Terminal.Warning),
            new HttpOptions { Deadline = deadline, RetryBaseDelay = RetryBaseDelay(), Redactor = SecretRedactor.For(config) }, Clock(), Terminal.Warning);
    }

    /// <summary>TT_NOW (ISO 8601) pins "now" for window planning: replay a cycle as of that time.</summary>
    public static TimeProvider Clock() =>
        Environment.GetEnvironmentVariable("TT_NOW") is { Length: > 0 } now
            ? new FixedTimeProvider(CollectCommand.Time(now, "TT_NOW"))
            : TimeProvider.System;

    /// <summary>TT_HTTP_RETRY_BASE_MS shortens the retry backoff (tests replaying 429/500 use it); default 1 s.</summary>
    private static TimeSpan RetryBaseDelay() =>
        int.TryParse(Environment.GetEnvironmentVariable("TT_HTTP_RETRY_BASE_MS"), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(1);
}
