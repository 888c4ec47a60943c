using Shouldly;

namespace TokenTelemetry.Tests.Support;

/// <summary>Compares output with a checked-in file; TT_UPDATE_GOLDEN=1 rewrites the file instead.</summary>
public static class Golden
{
    public static bool Updating => Environment.GetEnvironmentVariable("TT_UPDATE_GOLDEN") == "1";

    public static void Matches(string goldenPath, string actual)
    {
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(goldenPath)!);
            File.WriteAllText(goldenPath, actual);
            return;
        }
        File.Exists(goldenPath).ShouldBeTrue($"golden file {goldenPath} is missing; run the tests with TT_UPDATE_GOLDEN=1 to create it");
        actual.ShouldBe(File.ReadAllText(goldenPath), $"differs from {goldenPath}; if the change is intended, rerun with TT_UPDATE_GOLDEN=1 and review the diff");
    }
}
