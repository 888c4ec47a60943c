using TokenTelemetry.Database;

namespace TokenTelemetry.Rendering;

/// <summary>
/// How a schedule (crontab line, systemd unit) starts this tool, fixed at render time: cron runs jobs with
/// PATH=/usr/bin:/bin and systemd with its own short PATH, neither of which holds ~/.dotnet/tools or a --tool-path
/// folder, so the tool is named by its absolute path. An installed tool's command is an apphost shim that finds
/// the .NET runtime only at its default location (/usr/share/dotnet, /usr/lib/dotnet) or through DOTNET_ROOT, so
/// the schedule sets DOTNET_ROOT to the runtime the tool runs on. A unit runs as the user who rendered it.
/// </summary>
/// <param name="Executable">Absolute path of what to start: the tool's apphost, or the dotnet muxer.</param>
/// <param name="Assembly">token-telemetry.dll when <paramref name="Executable"/> is the dotnet muxer, else null.</param>
/// <param name="DotnetRoot">The folder holding the .NET runtime (shared/Microsoft.NETCore.App).</param>
/// <param name="User">The unit's User=; null when rendered as root (system units run as root anyway).</param>
public sealed record ScheduledTool(string Executable, string? Assembly, string DotnetRoot, string? User)
{
    public const string CommandName = "token-telemetry";

    /// <summary>The words before the command's own arguments.</summary>
    public IReadOnlyList<string> Command => Assembly is null ? [Executable] : [Executable, Assembly];

    /// <summary>An installed tool: a shim beside the .store folder `dotnet tool install` (global or --tool-path)
    /// keeps, which survives `dotnet tool update`. A build output (dotnet run) moves or vanishes with the next build.</summary>
    public bool IsInstalled => Assembly is null && Directory.Exists(Path.Combine(Path.GetDirectoryName(Executable)!, ".store"));

    /// <summary>
    /// The running tool — the shim of an installed tool, the build output's apphost under `dotnet run`, or the
    /// dotnet muxer plus token-telemetry.dll under `dotnet token-telemetry.dll` — unless <paramref name="toolPath"/>
    /// names it: the folder given to `dotnet tool install --tool-path`, or the executable itself.
    /// </summary>
    public static ScheduledTool Resolve(string? toolPath = null, string? dotnetRoot = null)
    {
        var root = string.IsNullOrEmpty(dotnetRoot) ? RunningDotnetRoot() : Invocation.Current.FullPath(dotnetRoot);
        var user = ProcessRunner.IsRoot ? null : Environment.UserName;
        if (!string.IsNullOrEmpty(toolPath))
        {
            var full = Invocation.Current.FullPath(toolPath);
            return new ScheduledTool(Path.GetFileName(full) == CommandName ? full : Path.Combine(full, CommandName), null, root, user);
        }
        var process = Environment.ProcessPath
            ?? throw new TelemetryException("cannot tell which executable runs this tool", "pass --tool-path with the folder holding token-telemetry");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new ScheduledTool(process, typeof(ScheduledTool).Assembly.Location, root, user)
            : new ScheduledTool(process, null, root, user);
    }

    /// <summary>System.Private.CoreLib sits in &lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/.</summary>
    private static string RunningDotnetRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
}
