using System.Diagnostics;
using System.Text.Json;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Claude Code and Codex logs, this tool beside ccusage 20 on the same generated files (<see cref="ClaudeCodeCorpus"/>,
/// <see cref="CodexCorpus"/>): the normalizer in this process (lines/s, MB/s), `token-telemetry import` of each folder
/// into a throwaway PostgreSQL (its own process: start-up, pricing and the database write included), and
/// `ccusage claude daily` / `ccusage codex daily` with offline pricing — wall time and peak memory of each, and the
/// token totals each found. Each program runs three times (files in the page cache, as after generation) and the
/// fastest run is shown; each import writes under a source_system of its own, so every run is a first import.
/// ccusage is npm's ccusage@20.0.24, installed into the benchmark's temp folder unless --ccusage names a binary;
/// --tool names another build of this tool (e.g. a ReadyToRun publish). Run on demand, never in CI.
/// </summary>
public static class AgentLogBenchmark
{
    public const string CcusageVersion = "20.0.24";

    private const int Runs = 3;

    public static async Task RunAsync(int claudeMb, int codexMb, string? ccusage, string? tool)
    {
        var root = Path.Combine(Path.GetTempPath(), $"tt-agentlogs-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        try
        {
            var claude = Path.Combine(root, "claude");
            var codex = Path.Combine(root, "codex");
            var generate = Stopwatch.StartNew();
            var responses = ClaudeCodeCorpus.Write(claude, claudeMb * 1_048_576L);
            var calls = CodexCorpus.Write(codex, codexMb * 1_048_576L);
            Console.WriteLine($"generated in {generate.Elapsed.TotalSeconds:F1} s: Claude Code {Describe(claude)}, {responses:N0} API responses; Codex {Describe(codex)}, {calls:N0} model calls");

            InProcess("Claude Code", claude);
            InProcess("Codex", codex);

            ccusage ??= InstallCcusage(root);
            var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
            await using var bench = await BenchInstance.StartAsync(root, tool);
            // Interleaved rounds, so that both tools see the same load on a shared machine; the fastest run of each counts.
            var runs = Enumerable.Range(0, Runs).Select(run => (
                CcClaude: TimedRun.Run(root, new Dictionary<string, string> { ["HOME"] = home, ["CLAUDE_CONFIG_DIR"] = claude }, ccusage, "claude", "daily", "--offline", "--json"),
                TtClaude: bench.Import(claude, $"claude_code_{run}"),
                CcCodex: TimedRun.Run(root, new Dictionary<string, string> { ["HOME"] = home, ["CODEX_HOME"] = codex }, ccusage, "codex", "daily", "--offline", "--json"),
                TtCodex: bench.Import(codex, $"codex_{run}"))).ToList();
            var ccClaude = runs.Select(r => r.CcClaude).MinBy(r => r.Seconds)!;
            var ttClaude = runs.Select(r => r.TtClaude).MinBy(r => r.Seconds)!;
            var ccCodex = runs.Select(r => r.CcCodex).MinBy(r => r.Seconds)!;
            var ttCodex = runs.Select(r => r.TtCodex).MinBy(r => r.Seconds)!;
            var totals = await bench.TotalsAsync();

            Console.WriteLine();
            Console.WriteLine($"{$"fastest of {Runs} runs",-44}{"wall s",8}{"peak MB",9}   totals found");
            Row("Claude Code: token-telemetry import (+ DB)", ttClaude, totals.GetValueOrDefault("claude_code_0"));
            Row($"Claude Code: ccusage {CcusageVersion} claude daily", ccClaude, CcusageTotals(ccClaude.Stdout));
            Row("Codex: token-telemetry import (+ DB)", ttCodex, totals.GetValueOrDefault("codex_0"));
            Row($"Codex: ccusage {CcusageVersion} codex daily", ccCodex, CcusageTotals(ccCodex.Stdout));
            Console.WriteLine("(token-telemetry: input includes cache reads and writes; ccusage lists uncached input and cache separately)");
            Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores");
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("TT_KEEP") != "1") Directory.Delete(root, recursive: true);
        }
    }

    private static void InProcess(string name, string folder)
    {
        var files = Directory.GetFiles(folder, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var lines = files.Sum(f => File.ReadLines(f).LongCount());
        foreach (var pass in (string[])["first pass, JIT included", "second pass"])
        {
            GC.Collect();
            var sink = new CountingSink();
            var watch = Stopwatch.StartNew();
            foreach (var file in files)
            {
                using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                new UsageNormalizer(sink).Run(input);
            }
            var s = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"{name}, normalized in this process ({pass}): {s:F2} s, {lines / s:N0} lines/s, {bytes / 1048576.0 / s:F0} MB/s, one thread; "
                + $"{sink.Usages:N0} usage records ({sink.Distinct.Count:N0} distinct call ids), {sink.Meters:N0} meter readings, {sink.Rejections:N0} rejected");
            if (pass == "second pass")
                Console.WriteLine($"  distinct calls' totals: input {sink.Input:N0} (of it cache {sink.Cached:N0}), output {sink.Output:N0} — what the ingest side stores once it counts each call id once");
        }
    }

    private static void Row(string label, TimedRun.Result run, string? totals) =>
        Console.WriteLine($"{label,-44}{run.Seconds,8:F2}{run.PeakMb,9:F0}   {(run.ExitCode == 0 ? totals : $"exit {run.ExitCode}: {run.Stderr.Trim().Split('\n')[0]}")}");

    private static string? CcusageTotals(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var t = document.RootElement.GetProperty("totals");
            return string.Join(", ", t.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => $"{p.Name} {p.Value.GetRawText()}"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException) { return "(no totals in its output)"; }
    }

    private static string InstallCcusage(string root)
    {
        var prefix = Path.Combine(root, "ccusage");
        Directory.CreateDirectory(prefix);
        var install = TimedRun.Run(prefix, null, "npm", "install", "--no-audit", "--no-fund", "--prefix", prefix, $"ccusage@{CcusageVersion}");
        if (install.ExitCode != 0) throw new InvalidOperationException($"npm install ccusage@{CcusageVersion} failed: {install.Stderr}");
        return Path.Combine(prefix, "node_modules", ".bin", "ccusage");
    }

    private static string Describe(string folder)
    {
        var files = Directory.GetFiles(folder, "*.jsonl", SearchOption.AllDirectories);
        return $"{files.Sum(f => new FileInfo(f).Length) / 1048576.0:F0} MB in {files.Length:N0} files";
    }

    private sealed class CountingSink : INormalizedSink
    {
        public long Usages { get; private set; }
        public long Rejections { get; private set; }
        public long Meters { get; private set; }
        public HashSet<string> Distinct { get; } = new(StringComparer.Ordinal);
        public long Input { get; private set; }
        public long Cached { get; private set; }
        public long Output { get; private set; }

        public void Usage(long line, UsageTelemetry usage)
        {
            Usages++;
            if (usage.CallId is { } id && !Distinct.Add(id)) return; // a call seen before (a fork's copy): counted once
            Input += usage.InputTokens ?? 0;
            Cached += (usage.CachedReadTokens ?? 0) + (usage.CachedWriteTokens ?? 0);
            Output += usage.OutputTokens ?? 0;
        }
        public void Meter(long line, UsageMeter meter) => Meters++;
        public void Rejected(long line, string reason) => Rejections++;
    }
}
