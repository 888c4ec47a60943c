using System.Diagnostics;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Claude Code and Codex logs, this tool beside ccusage 20 on the same generated files (<see cref="ClaudeCodeCorpus"/>,
/// <see cref="CodexCorpus"/>): the normalizer in this process (lines/s, MB/s), `token-telemetry import` of each folder
/// into a throwaway PostgreSQL (its own process: start-up, pricing and the database write included), and
/// `ccusage claude daily` / `ccusage codex daily` with offline pricing — wall time and peak memory of each, and the
/// token totals each found. Each program runs five times in interleaved rounds (files in the page cache, as after
/// generation; the load average before each round is printed) and the median and fastest runs are shown. Each import
/// goes into a database of its own, so every run is a first import that writes all it reads. ccusage runs with TZ=UTC
/// and --timezone UTC; its daily JSON is compared with what this tool stored, per (day, model) and each day's cost to
/// the cent (<see cref="DailyTotals"/>) — a difference, or a ccusage that read nothing, is printed and fails the run.
/// ccusage is npm's ccusage@20.0.24, installed into the benchmark's temp folder unless --ccusage names a binary;
/// --tool names another build of this tool (e.g. a ReadyToRun publish). Run on demand, never in CI.
/// </summary>
public static class AgentLogBenchmark
{
    public const string CcusageVersion = "20.0.24";

    private const int Runs = 5;

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
            // A database per import, so that every run is a first import that writes everything it reads.
            var instances = new List<(string Claude, string Codex)>();
            for (var run = 0; run < Runs; run++) instances.Add((await bench.FreshAsync($"claude{run}"), await bench.FreshAsync($"codex{run}")));
            // ccusage groups by day in the local time zone: UTC, as this tool's windows.
            Dictionary<string, string> Env(string key, string folder) => new() { ["HOME"] = home, ["TZ"] = "UTC", [key] = folder };
            // Interleaved rounds, so that both tools see the same load on a shared machine.
            var runs = new List<(TimedRun.Result CcClaude, TimedRun.Result TtClaude, TimedRun.Result CcCodex, TimedRun.Result TtCodex, string Load)>();
            foreach (var (claudeDb, codexDb) in instances)
            {
                var load = LoadAverage();
                runs.Add((TimedRun.Run(root, Env("CLAUDE_CONFIG_DIR", claude), ccusage, "claude", "daily", "--offline", "--json", "--timezone", "UTC"),
                    bench.Import(claude, claudeDb, "claude_code"),
                    TimedRun.Run(root, Env("CODEX_HOME", codex), ccusage, "codex", "daily", "--offline", "--json", "--timezone", "UTC"),
                    bench.Import(codex, codexDb, "codex"), load));
            }

            Console.WriteLine();
            Console.WriteLine($"{"round (load average 1/5/15 min before it)",-44}{"Claude Code s: tt",18}{"ccusage",9}{"Codex s: tt",13}{"ccusage",9}");
            for (var i = 0; i < runs.Count; i++)
                Console.WriteLine($"{$"{i + 1} ({runs[i].Load})",-44}{runs[i].TtClaude.Seconds,18:F2}{runs[i].CcClaude.Seconds,9:F2}{runs[i].TtCodex.Seconds,13:F2}{runs[i].CcCodex.Seconds,9:F2}");
            Console.WriteLine();
            Console.WriteLine($"{$"{Runs} runs each",-44}{"median s",9}{"min s",7}{"CPU s",7}{"peak MB",9}   totals found");
            var differences = new List<string>();
            foreach (var (corpus, ours, theirs, pick) in new[]
            {
                ("Claude Code", "token-telemetry import (+ DB)", $"ccusage {CcusageVersion} claude daily", 0),
                ("Codex", "token-telemetry import (+ DB)", $"ccusage {CcusageVersion} codex daily", 1),
            })
            {
                var tt = runs.Select(r => pick == 0 ? r.TtClaude : r.TtCodex).ToList();
                var cc = runs.Select(r => pick == 0 ? r.CcClaude : r.CcCodex).ToList();
                var stored = new List<DailyTotals>();
                foreach (var (claudeDb, codexDb) in instances) stored.Add(await bench.TotalsAsync(pick == 0 ? claudeDb : codexDb));
                var reported = cc.Select(r => r.ExitCode == 0 ? DailyTotals.FromCcusage(r.Stdout) : new DailyTotals()).ToList();
                Row($"{corpus}: {ours}", tt, stored[0].ToString());
                Row($"{corpus}: {theirs}", cc, cc[0].ExitCode == 0 ? reported[0].ToString() : $"exit {cc[0].ExitCode}: {cc[0].Stderr.Trim().Split('\n')[0]}");
                var found = DailyTotals.Differences(stored[0], reported[0]);
                for (var i = 1; i < Runs; i++)
                    found.AddRange(DailyTotals.Differences(stored[0], stored[i]).Concat(DailyTotals.Differences(stored[0], reported[i])).Select(d => $"run {i + 1}: {d}"));
                Console.WriteLine(found.Count == 0
                    ? $"  {corpus}: both read the same calls: {stored[0].Cells.Count} (day, model) cells and {stored[0].CostPerDay.Count} daily costs identical in all {Runs} runs of each"
                    : $"  {corpus}: the two DIFFER in {found.Count} place(s); first: {string.Join("; ", found.Take(5))}");
                differences.AddRange(found);
            }
            Console.WriteLine("(median and min of wall seconds; CPU s: median user + system seconds, which a loaded machine inflates far less than wall time)");
            Console.WriteLine("(input counts every input token: ccusage's inputTokens + cacheReadTokens + cacheCreationTokens; cost compared per day to the cent)");
            Console.WriteLine($"load average at the end: {LoadAverage()} on {Environment.ProcessorCount} cores");
            if (differences.Count > 0) Environment.ExitCode = 1;
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
        var sizes = files.SelectMany(f => File.ReadLines(f).Select(l => l.Length)).Order().ToList();
        var lines = (long)sizes.Count;
        var withUsage = files.Sum(f => File.ReadLines(f).Count(l => l.Contains("\"usage\":", StringComparison.Ordinal) || l.Contains("\"token_count\"", StringComparison.Ordinal)));
        Console.WriteLine($"{name} corpus: {lines:N0} lines, {withUsage:N0} ({100.0 * withUsage / lines:F0} %) carrying usage; line length median {sizes[sizes.Count / 2]:N0}, "
            + $"p90 {sizes[sizes.Count * 9 / 10]:N0}, max {sizes[^1]:N0} characters; the lines without usage hold {100.0 - 100.0 * UsageBytes(files) / bytes:F0} % of the bytes");
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

    private static long UsageBytes(IEnumerable<string> files) =>
        files.Sum(f => File.ReadLines(f).Where(l => l.Contains("\"usage\":", StringComparison.Ordinal) || l.Contains("\"token_count\"", StringComparison.Ordinal)).Sum(l => (long)l.Length + 1));

    private static void Row(string label, List<TimedRun.Result> runs, string totals)
    {
        var seconds = runs.Select(r => r.Seconds).Order().ToList();
        var cpu = runs.Select(r => r.CpuSeconds).Order().ToList();
        var peak = runs.Select(r => r.PeakMb).Order().ToList();
        Console.WriteLine($"{label,-44}{seconds[seconds.Count / 2],9:F2}{seconds[0],7:F2}{cpu[cpu.Count / 2],7:F2}{peak[peak.Count / 2],9:F0}   {totals}");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

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
