using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.UseCases;

/// <summary>
/// One collection cycle (DESIGN §5 collect): builds the enabled sources (or the ones named), runs the engine over their
/// due windows or an explicit range, then records the price snapshot the rows were priced with. `collect`, its daemon
/// and `demo` all run this.
/// </summary>
public sealed class CollectCycle(Instance instance, TelemetryDatabase database, SourceContext context, Feedback feedback)
{
    public async Task<IReadOnlyList<SourceOutcome>> RunAsync(IReadOnlyCollection<string> only, CollectionRange? range, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var sources = SourceSet.Create(context, instance.SourceProblems, only);
        if (sources.Count == 0)
            feedback.Warn($"no source is enabled in {instance.ConfigPath}; only the heartbeat is written");
        feedback.Log.LogDebug("collect: {Count} source(s) planned: {Sources}; range {Range}", sources.Count,
            string.Join(", ", sources.Select(s => $"{s.Name} ({s.Capabilities.Granularity.Label()}{(s.Capabilities.Windowed ? "" : ", snapshot")})")),
            range is null ? "due windows" : $"{range.Start:u} → {range.End:u}");
        var engine = new CollectionEngine(database, instance.Config, context.Clock, feedback.Progress, feedback.Warn, context.Pricer, feedback.Log);
        var outcomes = await engine.RunCycleAsync(sources, range, ct);
        await CollectionSetup.RecordSnapshotAsync(database, context.Pricer, feedback.Warn, ct);
        feedback.Log.LogDebug("collect: cycle took {Milliseconds} ms", clock.ElapsedMilliseconds);
        return outcomes;
    }

    /// <summary>DESIGN invariant 8: partial when some source failed.</summary>
    public static int ExitCode(IReadOnlyList<SourceOutcome> outcomes) => ExitCodes.PartialIf(outcomes.Any(o => o.Status == SourceStatus.Failed));
}
