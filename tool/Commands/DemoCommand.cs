using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Rendering;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class DemoCommand(ILogger<DemoCommand> log)
{
    [Command("demo", Description = "End to end on this machine: an instance with an embedded Postgres, sample data through the real import and collect paths, verify, the Grafana kit, report")]
    public async Task<int> Demo(
        [Option(Description = "Start over: stop the demo's Postgres and delete instances/demo first")] bool reset = false,
        [Option(Description = "Port of the demo's embedded Postgres on 127.0.0.1 (postgres.port; default: a free one)")] int? port = null,
        [Option(Description = "Show stack traces on errors")] bool verbose = false)
    {
        _ = verbose; // read by Program before the command runs
        var demo = await new RunDemo(Terminal.Feedback(log)).RunAsync(reset, port, ProcessLifetime.Token);
        CollectOutput.Print(demo.Outcomes);
        var failed = demo.Checks.Where(c => !c.Passed).ToList();
        Terminal.Out(failed.Count == 0 ? $"all {demo.Checks.Count} checks pass" : $"{failed.Count} of {demo.Checks.Count} checks FAIL: {string.Join(", ", failed.Select(f => f.Name))}");
        Terminal.Out($"Grafana kit: {demo.KitFiles} files in instances/{DemoFiles.Name}/grafana (import dashboards/*.json, or provision; see grafana/README.md)");
        Terminal.Out(ReportTable.Format("provider", demo.From, demo.To, demo.Rows, demo.Total));

        Terminal.Out("");
        Terminal.Out("next:");
        Terminal.Out($"  token-telemetry report --instance {DemoFiles.Name} --by model --since 45d");
        Terminal.Out($"  token-telemetry watchdog --instance {DemoFiles.Name}");
        Terminal.Out($"  token-telemetry db stop --instance {DemoFiles.Name}     # the demo's Postgres keeps running until then");
        return CollectCycle.ExitCode(demo.Outcomes) == ExitCodes.Ok && failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
