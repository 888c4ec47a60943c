using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Verification;

namespace TokenTelemetry.UseCases;

/// <summary>`verify` (and demo's step 4): every invariant of DESIGN §4 the data can show, judged against what each
/// enabled source says it reports.</summary>
public sealed class VerifyData(Instance instance, Feedback feedback)
{
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken ct)
    {
        var context = await CollectionSetup.ContextAsync(instance, feedback.Warn, ct);
        using var sources = SourceSet.Create(context, instance.SourceProblems);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        return await RunAsync(database, context, sources, ct);
    }

    /// <summary>On a database and context already open (the demo's).</summary>
    public async Task<IReadOnlyList<CheckResult>> RunAsync(TelemetryDatabase database, SourceContext context, CancellationToken ct)
    {
        using var sources = SourceSet.Create(context, instance.SourceProblems);
        return await RunAsync(database, context, sources, ct);
    }

    private async Task<IReadOnlyList<CheckResult>> RunAsync(TelemetryDatabase database, SourceContext context, SourceSet sources, CancellationToken ct)
    {
        feedback.Log.LogDebug("verify: config {ConfigPath}; schema {Schema}; sources {Sources}", instance.ConfigPath, database.Schema.Name,
            string.Join(", ", sources.Select(s => s.Name)));
        await using var connection = await database.OpenConnectionAsync(ct);
        var results = await new Verifier(database.Schema, instance.Config, sources, context.Pricer.Resolver, context.Clock).RunAsync(connection, ct);
        foreach (var r in results) feedback.Log.LogDebug("verify: {Check} {Verdict} ({Offending} offending)", r.Name, r.Passed ? "pass" : "fail", r.Offending);
        return results;
    }
}
