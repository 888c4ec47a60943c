using System.Text.Json;
using Cocona;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed class VerifyCommand
{
    [Command("verify", Description = "Check the data against every invariant of DESIGN §4 it can show; exit 0 pass, 2 some checks failed, 1 fatal")]
    public async Task<int> Verify(GlobalOptions global, [Option(Description = "Print JSON")] bool json = false)
    {
        var ct = ProcessLifetime.Token;
        var instance = InstanceLoading.Load(global, requireSources: false);
        var context = await CollectionSetup.ContextAsync(instance, ct);
        var sources = SourceFactory.Create(context, instance.SourceProblems);
        try
        {
            await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
            await using var connection = await database.OpenConnectionAsync(ct);
            var results = await new Verifier(database.Schema, instance.Config, sources, context.Pricer.Resolver, context.Clock).RunAsync(connection, ct);
            if (json)
                Terminal.Out(JsonSerializer.Serialize(new
                {
                    passed = results.All(r => r.Passed),
                    checks = results.Select(r => new { name = r.Name, passed = r.Passed, offending = r.Offending, hint = r.Passed ? null : r.Hint, examples = r.Examples }),
                }));
            else
                foreach (var r in results)
                {
                    Terminal.Out(r.Passed ? $"PASS {r.Name}" : $"FAIL {r.Name}: {r.Offending} offending — {r.Hint}");
                    foreach (var example in r.Examples) Terminal.Out("     " + JsonSerializer.Serialize(example));
                }
            return ExitCodes.PartialIf(!results.All(r => r.Passed));
        }
        finally
        {
            foreach (var s in sources.OfType<IDisposable>()) s.Dispose();
        }
    }
}
