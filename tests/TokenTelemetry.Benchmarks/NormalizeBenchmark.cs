using System.Diagnostics;
using System.Globalization;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Normalizes a generated mixed-provider JSONL file (12 payload shapes, numbers varying per line) in this process,
/// single-threaded, writing the canonical JSON lines to a null stream; prints lines/s and the process's peak memory.
/// </summary>
public static class NormalizeBenchmark
{
    private static readonly string[] Templates =
    [
        """{"id":"chatcmpl-{i}","object":"chat.completion","created":1763640000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"prompt_tokens_details":{"cached_tokens":{c},"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":{r},"audio_tokens":0}}}""",
        """{"id":"msg_{i}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":{u},"cache_creation_input_tokens":{w},"cache_read_input_tokens":{c},"cache_creation":{"ephemeral_5m_input_tokens":{w},"ephemeral_1h_input_tokens":0},"output_tokens":{o},"service_tier":"standard"}}""",
        """{"id":"resp_{i}","object":"response","created_at":1763640000,"model":"gpt-5","usage":{"input_tokens":{p},"input_tokens_details":{"cached_tokens":{c},"cache_write_tokens":0},"output_tokens":{o},"output_tokens_details":{"reasoning_tokens":{r}},"total_tokens":{t}}}""",
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":{p},"cachedContentTokenCount":{c},"candidatesTokenCount":{o},"thoughtsTokenCount":{r},"totalTokenCount":{t}},"modelVersion":"gemini-2.5-pro","responseId":"g{i}"}""",
        """{"id":"ds{i}","object":"chat.completion","created":1763640000,"model":"deepseek-chat","choices":[],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"prompt_cache_hit_tokens":{c},"prompt_cache_miss_tokens":{u}}}""",
        """{"output":{"message":{"role":"assistant","content":[]}},"stopReason":"end_turn","usage":{"inputTokens":{u},"outputTokens":{o},"totalTokens":{t},"cacheReadInputTokens":{c},"cacheWriteInputTokens":{w}},"metrics":{"latencyMs":812}}""",
        """{"id":"gen-{i}","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","created":1763640000,"choices":[],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"prompt_tokens_details":{"cached_tokens":{c}},"cost":0.0012,"is_byok":false}}""",
        """{"id":"x{i}","object":"chat.completion","created":1763640000,"model":"grok-4","choices":[],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"prompt_tokens_details":{"cached_tokens":{c}},"completion_tokens_details":{"reasoning_tokens":{r}},"cost_in_usd_ticks":61230000}}""",
        """{"model":"llama3.2","created_at":"2026-11-20T09:00:00Z","response":"","done":true,"total_duration":182242375,"prompt_eval_count":{p},"eval_count":{o}}""",
        """{"id":"k{i}","object":"chat.completion","created":1763640000,"model":"kimi-k2","choices":[],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"cached_tokens":{c}}}""",
        """{"id":"m{i}","object":"chat.completion","created":1763640000,"model":"mistral-large-latest","choices":[],"usage":{"prompt_tokens":{p},"completion_tokens":{o},"total_tokens":{t},"num_cached_tokens":{c}}}""",
        """{"timestamp":"2026-08-20T14:05:42.196Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":{p},"cached_input_tokens":{c},"output_tokens":{o},"reasoning_output_tokens":{r},"total_tokens":{t}}},"rate_limits":null}}""",
    ];

    public static void Run(int lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tt-normalize-bench-{Environment.ProcessId}.jsonl");
        try
        {
            var generate = Stopwatch.StartNew();
            long bytes;
            using (var writer = new StreamWriter(path))
            {
                for (var i = 0; i < lines; i++) writer.WriteLine(Line(i));
                writer.Flush();
                bytes = writer.BaseStream.Length;
            }
            Console.WriteLine($"generated {lines:N0} lines ({bytes / 1048576.0:F0} MB, 12 payload shapes) in {generate.Elapsed.TotalSeconds:F1} s");
            GC.Collect();
            RunCli(path, lines);

            var sink = new CountingSink();
            var watch = Stopwatch.StartNew();
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            using (var writer = new CanonicalJsonWriter(Stream.Null, TextWriter.Null))
                new UsageNormalizer(new Tee(writer, sink)).Run(input);
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"in-process: normalized {sink.Usages:N0} records, {sink.Rejections:N0} rejected, in {seconds:F2} s: {lines / seconds:N0} lines/s ({bytes / 1048576.0 / seconds:F0} MB/s), one thread");
            Console.WriteLine($"peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB; managed heap now {GC.GetTotalMemory(false) / 1048576.0:F0} MB");
            if (sink.Usages != lines || sink.Rejections != 0) throw new InvalidOperationException("every generated line should normalize");
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("TT_KEEP") != "1") File.Delete(path);
        }
    }

    /// <summary>The real tool as a user runs it (its own process and runtime settings), output to /dev/null;
    /// GNU time reports its peak resident memory.</summary>
    private static void RunCli(string path, int lines)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll");
        var info = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "time: %e s, peak RSS: %M KB", "bash", "-c", $"exec dotnet '{tool}' normalize '{path}' > /dev/null"]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var timing = stderr.Split('\n').Last(l => l.StartsWith("time: ", StringComparison.Ordinal));
        var seconds = double.Parse(timing.Split(' ')[1], CultureInfo.InvariantCulture);
        var kb = double.Parse(timing.Split(' ')[^2], CultureInfo.InvariantCulture);
        Console.WriteLine($"token-telemetry normalize (a process of its own, stdout to /dev/null): {lines / seconds:N0} lines/s including start-up, peak RSS {kb / 1024:F0} MB ({timing})");
    }

    /// <summary>Line i of the mixed-provider file; timestamps advance one second per line where a payload has one.</summary>
    internal static string Line(int i)
    {
        var p = 1000 + i % 5000;
        var c = p / 2;
        var o = 50 + i % 700;
        var r = o / 3;
        var w = i % 7 == 0 ? 100 : 0;
        var u = p - c - w;
        return Templates[i % Templates.Length]
            .Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{p}", p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{c}", c.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{o}", o.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{r}", r.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{w}", w.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{u}", u.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{t}", (p + o).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("1763640000", (1763640000 + i).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private sealed class CountingSink : INormalizedSink
    {
        public long Usages { get; private set; }
        public long Rejections { get; private set; }
        public void Usage(long line, UsageTelemetry usage) => Usages++;
        public void Meter(long line, UsageMeter meter) { }
        public void Rejected(long line, string reason) => Rejections++;
    }

    private sealed class Tee(INormalizedSink a, INormalizedSink b) : INormalizedSink
    {
        public void Usage(long line, UsageTelemetry usage) { a.Usage(line, usage); b.Usage(line, usage); }
        public void Meter(long line, UsageMeter meter) { a.Meter(line, meter); b.Meter(line, meter); }
        public void Rejected(long line, string reason) { a.Rejected(line, reason); b.Rejected(line, reason); }
    }
}
