using Microsoft.Extensions.Logging;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;

namespace TokenTelemetry.UseCases;

/// <summary>`collect`: connect, then one cycle — or, as a daemon, one cycle per interval aligned to the wall clock until
/// the process is asked to stop (the cycle in flight finishes or rolls back whole first).</summary>
public sealed class CollectRun(Instance instance, Feedback feedback)
{
    /// <param name="report">Shows a cycle's outcomes; the run's exit code is the last cycle's.</param>
    public async Task<int> RunAsync(IReadOnlyCollection<string> only, CollectionRange? range, TimeSpan? daemonEvery,
        Action<IReadOnlyList<SourceOutcome>> report, CancellationToken ct)
    {
        feedback.Log.LogDebug("collect: config {ConfigPath}", instance.ConfigPath);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        var context = await CollectionSetup.ContextAsync(instance, feedback.Warn, ct);
        var cycle = new CollectCycle(instance, database, context, feedback);
        if (daemonEvery is not { } every)
        {
            var outcomes = await cycle.RunAsync(only, range, ct);
            report(outcomes);
            return CollectCycle.ExitCode(outcomes);
        }

        feedback.Progress($"collector daemon: one cycle every {Durations.Format(every)}; stop with Ctrl-C or SIGTERM");
        var last = ExitCodes.Ok;
        while (!ct.IsCancellationRequested)
        {
            var outcomes = await cycle.RunAsync(only, range, ct);
            report(outcomes);
            last = CollectCycle.ExitCode(outcomes);
            var now = DateTimeOffset.UtcNow;
            var next = new DateTimeOffset((now.UtcTicks / every.Ticks + 1) * every.Ticks, TimeSpan.Zero);
            feedback.Progress($"next cycle at {next:u}");
            try { await Task.Delay(next - now, ct); }
            catch (OperationCanceledException) { break; }
        }
        feedback.Progress("collector daemon stopped");
        return last;
    }
}
