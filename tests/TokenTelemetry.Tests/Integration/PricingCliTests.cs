using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class PricingCliTests
{
    [Fact]
    public async Task Show_prints_the_matched_key_and_every_rate()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "pricing", "show", "claude-sonnet-4-5-20251231");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StdoutLines[1].ShouldBe("matched: claude-sonnet-4-5 (litellm_provider anthropic, mode chat)");
        result.StdoutLines.ShouldContain("  cache_write_1h   0.000006       $6.00 / 1M");
        result.StdoutLines.ShouldContain("when input exceeds 200,000 tokens (the whole request; absent rates stay at base):");
        result.StdoutLines.ShouldNotContain(l => l.StartsWith("  batch_", StringComparison.Ordinal)); // the entry lists no batch rates

        var gpt4o = await Cli.RunAsync(dir.Path, "pricing", "show", "gpt-4o");
        gpt4o.StdoutLines.ShouldContain("  batch_input      0.00000125     $1.25 / 1M");
        gpt4o.StdoutLines.ShouldContain("  batch_output     0.000005       $5.00 / 1M");
    }

    [Fact]
    public async Task Show_says_no_match_and_exits_1()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "pricing", "show", "gpt-5.9-mini");
        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldBe("no match for 'gpt-5.9-mini' in the bundled LiteLLM snapshot of 2026-08-01\n");
    }

    [Fact]
    public async Task Cost_prints_the_breakdown_as_json()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "pricing", "cost", "--model", "gpt-4o", "--input", "10000", "--cached-read", "8000", "--output", "500", "--json");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("\"matched_key\":\"gpt-4o\"");
        result.Stdout.ShouldContain("\"cost_usd\":0.02,\"cost_basis\":\"computed\"");
    }

    [Fact]
    public async Task Cost_refuses_an_inconsistent_usage()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "pricing", "cost", "--model", "gpt-4o", "--input", "10", "--cached-read", "20");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe(["error: the usage is inconsistent: cached_read_tokens + cached_write_tokens (20) exceed input_tokens (10) (--input counts ALL input tokens, cache included; --output includes reasoning)"]);
    }

    [Fact]
    public async Task Update_from_a_file_fills_the_cache_in_XDG_CACHE_HOME()
    {
        using var dir = new TempDirectory();
        var table = dir.File("prices.json");
        File.WriteAllText(table, """{"tiny":{"input_cost_per_token":1e-6,"output_cost_per_token":2e-6}}""");
        var result = await Cli.RunAsync(dir.Path, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = dir.File("cache") }, "pricing", "update", "--file", table);
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe($"cached 1 priced models from {table} in {dir.File("cache", "token-telemetry")}\n");
        File.Exists(dir.File("cache", "token-telemetry", "litellm_model_prices.json")).ShouldBeTrue();
    }
}
