using Cocona;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.Commands;

public sealed class RenderCommand
{
    [Command("render", Description = "Render this instance's Grafana dashboards, provisioning, watchdog script, crontab, systemd units and Next.js API route")]
    public int Render(GlobalOptions global, [Option(Description = "Output folder (default: <instance>/grafana)")] string? @out = null,
        [Option("deploy-dir", Description = "The folder holding instances/ on the host that will run collect (default: the current folder); units and crontab name it")] string? deployDir = null)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var root = Path.GetFullPath(@out ?? Path.Combine(instance.Directory, "grafana"));
        var files = GrafanaKit.Render(instance, Terminal.Warning, deployDir is null ? null : Path.GetFullPath(deployDir));
        KitFiles.Write(root, files);
        Terminal.Out($"rendered {files.Count} files into {root}");
        foreach (var (path, _) in files) Terminal.Out($"  {path}");
        return 0;
    }
}
