namespace TokenTelemetry.Tests.Support;

/// <summary>The dotnet muxer the suite runs on (symlinks resolved, as /proc/self/exe reports it) and its folder.</summary>
public static class DotnetHost
{
    public static string Muxer { get; } = Find();

    public static string Root => Path.GetDirectoryName(Muxer)!;

    /// <summary>The built tool, as the CLI tests run it.</summary>
    public static string ToolDll => Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll");

    /// <summary>The build output's apphost (what `dotnet run` starts).</summary>
    public static string ToolAppHost => Path.Combine(AppContext.BaseDirectory, "token-telemetry");

    private static string Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = new FileInfo(Path.Combine(dir, "dotnet"));
            if (candidate.Exists) return candidate.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate.FullName;
        }
        throw new InvalidOperationException("dotnet is not on PATH");
    }
}
