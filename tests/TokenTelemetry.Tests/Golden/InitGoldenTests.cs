using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Golden;

/// <summary>`init --non-interactive` renders the same bytes for the same flags; the checked-in reference
/// instance (instances/example) is exactly such a render, so it can never drift from the templates.</summary>
public sealed class InitGoldenTests
{
    private static readonly string[] Files = ["config.yaml", ".env.example", ".gitignore"];

    public static TheoryData<string, string[]> Cases => new()
    {
        { "embedded-default", [] },
        { "external-host", ["--pg-host", "db.internal", "--pg-port", "6432", "--pg-user", "tt_writer", "--schema", "ai_usage", "--source", "openai", "--source", "litellm", "--reader-role", "grafana_reader"] },
        { "external-url", ["--pg-url", "postgres://tt@db.internal:5432/usage?sslmode=require", "--source", "copilot", "--source", "subscriptions", "--source", "anthropic"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Init_renders_the_golden_files(string name, string[] flags)
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, ["init", name, "--non-interactive", .. flags]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        foreach (var file in Files)
            Support.Golden.Matches(RepoPaths.Golden("init", name, file.TrimStart('.')), File.ReadAllText(dir.File("instances", name, file)));
        Support.Golden.Matches(RepoPaths.Golden("init", name, "stdout.txt"), result.Stdout);
    }

    [Fact]
    public async Task The_reference_instance_is_an_unedited_init_render()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, ["init", "example", "--non-interactive", "--pg-host", "localhost", "--source", "litellm", "--source", "openai", "--source", "anthropic"]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        foreach (var file in Files)
            Support.Golden.Matches(Path.Combine(RepoPaths.Root, "instances", "example", file), File.ReadAllText(dir.File("instances", "example", file)));
    }
}
