using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.UseCases;

/// <summary>`render` (and demo's step 5): this instance's Grafana kit — dashboards, provisioning, watchdog script,
/// schedules and API route — written into a folder. Schedules name the tool that will run them, so a tool that is
/// missing here or a build output is warned about.</summary>
public sealed class RenderKit(Instance instance, Feedback feedback)
{
    public sealed record Rendered(string Root, IReadOnlyList<(string Path, string Content)> Files, ScheduledTool Tool);

    public Rendered Run(string? outDirectory, string? deployDir, string? toolPath, string? dotnetRoot)
    {
        var root = Invocation.Current.FullPath(outDirectory ?? Path.Combine(instance.Directory, "grafana"));
        var tool = ScheduledTool.Resolve(toolPath, dotnetRoot);
        if (toolPath is not null && !File.Exists(tool.Executable))
            feedback.Warn($"{tool.Executable} does not exist on this machine; the schedules call it (fine when they run on another host)");
        else if (toolPath is null && !tool.IsInstalled)
            feedback.Warn($"the schedules call {string.Join(' ', tool.Command)}, a build output rather than an installed tool: the next build or clean may move it — " +
                          "install the tool (dotnet tool install, see AGENT_DEPLOY.md) and render with it, or pass --tool-path");
        if (!Directory.Exists(Path.Combine(tool.DotnetRoot, "shared", "Microsoft.NETCore.App")))
            feedback.Warn($"DOTNET_ROOT {tool.DotnetRoot} holds no .NET runtime on this machine (fine when the schedules run on another host)");
        var files = GrafanaKit.Render(instance, feedback.Warn, deployDir is null ? null : Invocation.Current.FullPath(deployDir), tool);
        KitFiles.Write(root, files);
        feedback.Log.LogDebug("render: config {ConfigPath}; {Count} file(s) into {Root}", instance.ConfigPath, files.Count, root);
        return new Rendered(root, files, tool);
    }

    /// <summary>The kit as `render` gives it with no flags, without the tool warnings (the demo's).</summary>
    public IReadOnlyList<(string Path, string Content)> RunDefault(string root)
    {
        var files = GrafanaKit.Render(instance);
        KitFiles.Write(root, files);
        feedback.Log.LogDebug("render: {Count} file(s) into {Root}", files.Count, root);
        return files;
    }
}
