using System.Text.RegularExpressions;
using Shouldly;
using TokenTelemetry.Commands;
using TokenTelemetry.Configuration;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The CLI tests run the tool in this process (<see cref="Cli"/>): runs in parallel must not share a terminal, an
/// environment, a working directory, an exit code or a redactor, and the binary must behave as the in-process run.
/// </summary>
public sealed class InProcessCliTests
{
    private static readonly string[] Payloads = ["plain.jsonl", "cache-write.jsonl", "cached-reasoning.jsonl", "streaming-include-usage.jsonl"];

    [Fact]
    public async Task Runs_in_parallel_each_read_their_own_stdin_and_write_their_own_stdout_and_stderr()
    {
        var inputs = Payloads.Select((p, i) => (Stdin: File.ReadAllText(Fixtures.Path("usage", "openai.chat", p)), Provider: $"p{i}")).ToList();
        var alone = new List<Cli.Result>();
        foreach (var (stdin, provider) in inputs)
            alone.Add(await Cli.RunWithInputAsync(AppContext.BaseDirectory, null, stdin, "normalize", "--provider", provider, "-"));

        var together = await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => inputs)
            .Select(input => Cli.RunWithInputAsync(AppContext.BaseDirectory, null, input.Stdin, "normalize", "--provider", input.Provider, "-")));

        for (var i = 0; i < together.Length; i++)
        {
            var expected = alone[i % inputs.Count];
            expected.ExitCode.ShouldBe(0, expected.Stderr);
            expected.StdoutLines.ShouldNotBeEmpty();
            expected.StdoutLines.ShouldAllBe(l => l.Contains($"\"provider\":\"p{i % inputs.Count}\"", StringComparison.Ordinal));
            together[i].ShouldBe(expected);
        }
    }

    [Fact]
    public async Task Runs_in_parallel_resolve_paths_in_their_own_working_directory_and_read_their_own_environment()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        foreach (var (dir, model) in new[] { (a, "alpha-model"), (b, "beta-model") })
            File.WriteAllText(dir.File("prices.json"), $$$"""{"{{{model}}}":{"input_cost_per_token":1e-6,"output_cost_per_token":2e-6}}""");

        var runs = await Task.WhenAll(
            Cli.RunAsync(a.Path, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = a.File("cache") }, "pricing", "update", "--file", "prices.json"),
            Cli.RunAsync(b.Path, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = b.File("cache") }, "pricing", "update", "--file", "prices.json"),
            Cli.RunAsync(a.Path, "init", "alpha", "--non-interactive", "--source", "manual"),
            Cli.RunAsync(b.Path, "init", "beta", "--non-interactive", "--source", "manual"));

        runs.ShouldAllBe(r => r.ExitCode == 0);
        runs[0].Stdout.ShouldBe($"cached 1 priced models from prices.json in {a.File("cache", "token-telemetry")}\n");
        runs[1].Stdout.ShouldBe($"cached 1 priced models from prices.json in {b.File("cache", "token-telemetry")}\n");
        File.ReadAllText(a.File("cache", "token-telemetry", "litellm_model_prices.json")).ShouldContain("alpha-model");
        File.ReadAllText(b.File("cache", "token-telemetry", "litellm_model_prices.json")).ShouldContain("beta-model");
        runs[2].StdoutLines[0].ShouldBe("created instances/alpha/config.yaml, instances/alpha/.env.example and instances/alpha/.gitignore");
        runs[3].StdoutLines[0].ShouldBe("created instances/beta/config.yaml, instances/beta/.env.example and instances/beta/.gitignore");
        Directory.GetDirectories(a.File("instances")).Select(Path.GetFileName).ShouldBe(["alpha"]);
        Directory.GetDirectories(b.File("instances")).Select(Path.GetFileName).ShouldBe(["beta"]);
        Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "instances", "alpha")).ShouldBeFalse();
    }

    [Fact]
    public async Task Runs_in_parallel_return_their_own_exit_codes()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => new[]
        {
            Cli.RunAsync(AppContext.BaseDirectory, "--help"),
            Cli.RunAsync(AppContext.BaseDirectory, "no-such-command"),
            Cli.RunAsync(AppContext.BaseDirectory, "normalize", "/nonexistent.jsonl"),
            Cli.RunAsync(AppContext.BaseDirectory, "normalize", Fixtures.Path("usage", "garbage", "mixed-bad-lines.jsonl")),
        }));

        runs.Select(r => r.ExitCode).ShouldBe(Enumerable.Range(0, 4).SelectMany(_ => (int[])[0, 1, 1, 2]));
        runs.Where((_, i) => i % 4 == 0).ShouldAllBe(r => r.Stdout.Contains("Usage: token-telemetry [command]", StringComparison.Ordinal));
        runs.Where((_, i) => i % 4 == 1).ShouldAllBe(r => r.StderrLines[0] == "Error: 'no-such-command' is not a command. See '--help' for usage.");
        runs.Where((_, i) => i % 4 == 2).ShouldAllBe(r => r.Stderr == "error: /nonexistent.jsonl does not exist (pass a JSON/JSONL file, or - to read stdin)\n");
    }

    [Fact]
    public async Task The_binary_prints_what_the_in_process_run_prints()
    {
        var stdin = File.ReadAllText(Fixtures.Path("usage", "openai.chat", "cached-reasoning.jsonl"));
        using var dir = new TempDirectory();
        var inProcess = await Cli.RunWithInputAsync(dir.Path, null, stdin, "normalize", "-");
        var binary = await Cli.RunProcessAsync(dir.Path, null, stdin, "normalize", "-");
        inProcess.ExitCode.ShouldBe(0, inProcess.Stderr);
        binary.ShouldBe(inProcess);
        var help = await Cli.RunProcessAsync(dir.Path, null, null, "--help");
        help.ExitCode.ShouldBe(0);
        help.ShouldBe(await Cli.RunAsync(dir.Path, "--help"));
    }

    [Fact]
    public async Task Each_run_redacts_its_own_instances_secrets()
    {
        static async Task<string> RunAsync(string secret, string line)
        {
            using var terminal = new CapturedTerminal(null);
            await Task.Run(() =>
            {
                new Invocation(terminal.Streams, _ => null, AppContext.BaseDirectory, CancellationToken.None).Enter();
                Terminal.Redactor = SecretRedactor.For(new InstanceConfig { Postgres = new PostgresConfig { Password = secret } });
                Thread.Sleep(50); // both runs have set their redactor before either writes
                Terminal.Error(line);
            });
            return terminal.Stderr;
        }
        const string line = "first hunter2-aaaa then swordfish-bbbb";
        var outputs = await Task.WhenAll(RunAsync("hunter2-aaaa", line), RunAsync("swordfish-bbbb", line));
        outputs[0].ShouldNotContain("hunter2-aaaa");
        outputs[0].ShouldContain("swordfish-bbbb");
        outputs[1].ShouldContain("hunter2-aaaa");
        outputs[1].ShouldNotContain("swordfish-bbbb");
    }

    [Fact]
    public void Only_the_terminal_layer_touches_the_console_and_only_the_invocation_reads_the_environment_or_current_directory()
    {
        var tool = Path.Combine(RepoPaths.Root, "tool");
        var sources = Directory.EnumerateFiles(tool, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(tool, f), File.ReadAllText);
        string[] Using(string pattern) => sources.Where(s => Regex.IsMatch(s.Value, pattern)).Select(s => s.Key).Order(StringComparer.Ordinal).ToArray();

        Using(@"(?<![\w.])Console\.").ShouldBe(["Hosting/AmbientConsole.cs"]);
        Using(@"System\.Console\.").ShouldBe(["StandardStreams.cs"]);
        Using(@"Directory\.GetCurrentDirectory\(|Environment\.CurrentDirectory").ShouldBe(["Invocation.cs"]);
        // PATH is the process's: the binaries the tool starts inherit the process environment, not a run's.
        Using(@"Environment\.GetEnvironmentVariable(?!\(""PATH""\))").ShouldBe(["Invocation.cs"]);
    }
}
