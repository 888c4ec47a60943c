using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>init creates the folders of the file sources it enables (on main a fresh `init --source requests`
/// followed by collect failed the source: "…/imports/requests does not exist").</summary>
public sealed class InitFoldersTests
{
    [Fact]
    public async Task Init_creates_the_empty_folder_of_each_file_source_it_enables_and_no_other()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "init", "files", "--non-interactive", "--pg-host", "db.internal", "--source", "requests", "--source", "manual", "--source", "openai");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StdoutLines.Take(3).ShouldBe([
            "created instances/files/config.yaml, instances/files/.env.example and instances/files/.gitignore",
            "created instances/files/imports/manual/ (the manual source reads the files put there)",
            "created instances/files/imports/requests/ (the requests source reads the files put there)",
        ]);
        Directory.GetFileSystemEntries(dir.File("instances", "files", "imports", "manual")).ShouldBeEmpty();
        Directory.GetFileSystemEntries(dir.File("instances", "files", "imports", "requests")).ShouldBeEmpty();

        var none = await Cli.RunAsync(dir.Path, "init", "nofiles", "--non-interactive", "--source", "subscriptions");
        none.ExitCode.ShouldBe(0, none.Stderr);
        Directory.Exists(dir.File("instances", "nofiles", "imports")).ShouldBeFalse();
        Directory.GetFileSystemEntries(dir.File("instances", "nofiles")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([".env.example", ".gitignore", "config.yaml"]);
    }
}
