using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class NormalizeCliTests
{
    [Fact]
    public async Task Prints_one_json_line_per_record_and_exits_2_when_lines_were_rejected()
    {
        var result = await Cli.RunAsync(AppContext.BaseDirectory, "normalize", Fixtures.Path("usage", "garbage", "mixed-bad-lines.jsonl"));
        result.ExitCode.ShouldBe(2);
        result.StdoutLines.ShouldHaveSingleItem().ShouldStartWith("""{"record":"usage","line":11,"route":"openai.chat","provider":"openai","model":"gpt-4o","input_tokens":7,"cached_read_tokens":null,""");
        result.StderrLines.Count(l => l.StartsWith("line ", StringComparison.Ordinal)).ShouldBe(15);
        result.StderrLines[^1].ShouldBe("normalize: 1 usage record(s), 0 meter reading(s), 15 rejected line(s)");
    }

    [Fact]
    public async Task Exits_0_for_clean_input_and_honours_provider_override()
    {
        var result = await Cli.RunAsync(AppContext.BaseDirectory, "normalize", "--provider", "vllm",
            Fixtures.Path("usage", "openai_compatible.chat", "vllm-no-details.jsonl"));
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldContain("\"provider\":\"vllm\"");
    }

    [Fact]
    public async Task Reads_a_stream_from_stdin()
    {
        var sse = File.ReadAllText(Fixtures.Path("usage", "anthropic.messages", "streaming-sse.jsonl"));
        var result = await Cli.RunWithInputAsync(AppContext.BaseDirectory, null, sse, "normalize", "-");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StdoutLines.ShouldHaveSingleItem().ShouldContain("\"input_tokens\":32560,\"cached_read_tokens\":30500,\"cached_write_tokens\":2048,\"cached_write_1h_tokens\":2048,\"output_tokens\":715,\"reasoning_tokens\":402");
    }

    [Fact]
    public async Task A_missing_file_is_a_fatal_one_line_error()
    {
        var result = await Cli.RunAsync(AppContext.BaseDirectory, "normalize", "/nonexistent.jsonl");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe(["error: /nonexistent.jsonl does not exist (pass a JSON/JSONL file, or - to read stdin)"]);
    }
}
