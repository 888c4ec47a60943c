using System.Diagnostics;
using System.Runtime.InteropServices;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class NormalizeCliTests
{
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal); // no `kill` process to start: the clock measures the tool

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
    public async Task A_provider_override_with_a_control_character_is_a_one_line_error()
    {
        var result = await Cli.RunAsync(AppContext.BaseDirectory, "normalize", "--provider", "vllm\u0007", Fixtures.Path("usage", "openai.chat", "plain.jsonl"));
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe(["error: --provider contains a control character (U+0007) (pass a plain provider name such as vllm)"]);
    }

    [Fact]
    public async Task A_missing_file_is_a_fatal_one_line_error()
    {
        var result = await Cli.RunAsync(AppContext.BaseDirectory, "normalize", "/nonexistent.jsonl");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe(["error: /nonexistent.jsonl does not exist (pass a JSON/JSONL file, or - to read stdin)"]);
    }

    [Fact]
    public async Task Sigterm_during_a_long_parse_stops_it_within_a_second()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll"), "normalize", "-"]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var stopFeeding = new CancellationTokenSource();
        // An endless parse: payloads keep arriving until the tool stops reading.
        var feeder = Task.Run(async () =>
        {
            var line = """{"id":"chatcmpl-Sg1aB2cD3eF4","object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""" + "\n";
            var block = string.Concat(Enumerable.Repeat(line, 200));
            try
            {
                while (!stopFeeding.IsCancellationRequested)
                {
                    await process.StandardInput.WriteAsync(block);
                    await Task.Delay(1); // steady, not flat out: the machine's cores are shared
                }
            }
            catch (IOException) { } // the tool exited: the pipe is closed
        });
        for (var seen = 0; seen < 5000;) seen += (await process.StandardOutput.ReadLineAsync()) is null ? 5000 : 1;
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var signalled = Stopwatch.StartNew();
        Kill(process.Id, 15).ShouldBe(0); // SIGTERM
        var exited = process.WaitForExit(TimeSpan.FromSeconds(10));
        var took = signalled.Elapsed;
        await stopFeeding.CancelAsync();
        if (!exited) process.Kill();
        await feeder;
        await drain;
        took.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        process.ExitCode.ShouldBe(130);
        (await stderr).ShouldContain("error: interrupted");
    }
}
