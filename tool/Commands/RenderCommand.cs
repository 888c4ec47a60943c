using Cocona;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.Commands;

public sealed class RenderCommand
{
    [Command("render", Description = "Render this instance's Grafana dashboards and provisioning files")]
    public int Render(GlobalOptions global, [Option(Description = "Output folder (default: <instance>/grafana)")] string? @out = null)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var root = Path.GetFullPath(@out ?? Path.Combine(instance.Directory, "grafana"));
        var files = GrafanaKit.Render(instance, Terminal.Warning);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Terminal.Out($"rendered {files.Count} files into {root}");
        foreach (var (path, _) in files) Terminal.Out($"  {path}");
        return 0;
    }
}
