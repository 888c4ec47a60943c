using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class RenderCommand(ILogger<RenderCommand> log)
{
    [Command("render", Description = "Render this instance's Grafana dashboards, provisioning, watchdog script, crontab, systemd units and Next.js API route")]
    public int Render(GlobalOptions global, [Option(Description = "Output folder (default: <instance>/grafana)")] string? @out = null,
        [Option("deploy-dir", Description = "The folder holding instances/ on the host that will run collect (default: the current folder, with the instance where it is); units and crontab name it")] string? deployDir = null,
        [Option("tool-path", Description = "Where schedules find token-telemetry: the folder given to `dotnet tool install --tool-path`, or the executable (default: the running tool)")] string? toolPath = null,
        [Option("dotnet-root", Description = "DOTNET_ROOT for schedules: the folder holding the .NET runtime on the host that runs them (default: the runtime this tool runs on)")] string? dotnetRoot = null)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var (root, files, tool) = new RenderKit(instance, Terminal.Feedback(log)).Run(@out, deployDir, toolPath, dotnetRoot);
        Terminal.Out($"rendered {files.Count} files into {root}");
        foreach (var (path, _) in files) Terminal.Out($"  {path}");
        Terminal.Out($"schedules run {string.Join(' ', tool.Command)} with DOTNET_ROOT={tool.DotnetRoot}");
        return ExitCodes.Ok;
    }
}
