namespace TokenTelemetry.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Golden(params string[] parts) => Path.Combine([Root, "tests", "TokenTelemetry.Tests", "Golden", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TokenTelemetry.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no TokenTelemetry.sln above {AppContext.BaseDirectory}");
    }
}
