using System.Text.Json;
using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class VerifyCommand(ILogger<VerifyCommand> log)
{
    [Command("verify", Description = "Check the data against every invariant of DESIGN §4 it can show; exit 0 pass, 2 some checks failed, 1 fatal")]
    public async Task<int> Verify(GlobalOptions global, [Option(Description = "Print JSON")] bool json = false)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var results = await new VerifyData(instance, Terminal.Feedback(log)).RunAsync(ProcessLifetime.Token);
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
}
