using Cocona;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.Commands;

public sealed class RenderCommand
{
    [Command("render", Description = "Render this instance's Grafana dashboards, provisioning, watchdog script, crontab, systemd units and Next.js API route")]
    public int Render(GlobalOptions global, [Option(Description = "Output folder (default: <instance>/grafana)")] string? @out = null,
        [Option("deploy-dir", Description = "The folder holding instances/ on the host that will run collect (default: the current folder, with the instance where it is); units and crontab name it")] string? deployDir = null,
        [Option("tool-path", Description = "Where schedules find token-telemetry: the folder given to `dotnet tool install --tool-path`, or the executable (default: the running tool)")] string? toolPath = null,
        [Option("dotnet-root", Description = "DOTNET_ROOT for schedules: the folder holding the .NET runtime on the host that runs them (default: the runtime this tool runs on)")] string? dotnetRoot = null)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var root = Invocation.Current.FullPath(@out ?? Path.Combine(instance.Directory, "grafana"));
        var tool = ScheduledTool.Resolve(toolPath, dotnetRoot);
        if (toolPath is not null && !File.Exists(tool.Executable))
            Terminal.Warning($"{tool.Executable} does not exist on this machine; the schedules call it (fine when they run on another host)");
        else if (toolPath is null && !tool.IsInstalled)
            Terminal.Warning($"the schedules call {string.Join(' ', tool.Command)}, a build output rather than an installed tool: the next build or clean may move it — " +
                             "install the tool (dotnet tool install, see AGENT_DEPLOY.md) and render with it, or pass --tool-path");
        if (!Directory.Exists(Path.Combine(tool.DotnetRoot, "shared", "Microsoft.NETCore.App")))
            Terminal.Warning($"DOTNET_ROOT {tool.DotnetRoot} holds no .NET runtime on this machine (fine when the schedules run on another host)");
        var files = GrafanaKit.Render(instance, Terminal.Warning, deployDir is null ? null : Invocation.Current.FullPath(deployDir), tool);
        KitFiles.Write(root, files);
        Terminal.Out($"rendered {files.Count} files into {root}");
        foreach (var (path, _) in files) Terminal.Out($"  {path}");
        Terminal.Out($"schedules run {string.Join(' ', tool.Command)} with DOTNET_ROOT={tool.DotnetRoot}");
        return 0;
    }
}
