using System.Diagnostics;
using System.Globalization;
using TokenTelemetry.Database;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// `token-telemetry import` end to end (its own process: normalize, price per call, roll up, upsert into a throwaway
/// PostgreSQL 15): a generated 1,000,000-line mixed-provider JSONL file, imported twice (the second run finds every
/// call already counted, by its identity); lines/s including start-up, the process's peak memory from GNU time, and
/// what the call ledger costs on disk per call. Payloads without a time of their own are placed with --at. With
/// --distinct-models every line names a model of its own (the worst case for per-model state: price lookups, warnings,
/// rows), and the warning lines are counted.
/// </summary>
public static class ImportBenchmark
{
    public static async Task RunAsync(int lines, bool distinctModels = false)
    {
        var root = Path.Combine(Path.GetTempPath(), $"tt-import-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = new EmbeddedPostgres(Path.Combine(root, "data"), Path.Combine(root, "state.json"));
        try
        {
            var state = await cluster.StartAsync(Console.Error.WriteLine, CancellationToken.None);
            await EmbeddedPostgres.EnsureDatabaseAsync(state, "bench", CancellationToken.None);
            var instance = Path.Combine(root, "instances", "bench");
            Directory.CreateDirectory(instance);
            File.WriteAllText(Path.Combine(instance, "config.yaml"),
                $"postgres:\n  host: 127.0.0.1\n  port: {state.Port}\n  database: bench\n  user: postgres\n  password: {state.Password}\n  ssl_mode: disable\n");
            var file = Path.Combine(root, "calls.jsonl");
            using (var writer = new StreamWriter(file))
                for (var i = 0; i < lines; i++)
                    writer.WriteLine(distinctModels ? NormalizeBenchmark.Line(i).Replace("\"model\":\"", $"\"model\":\"m{i}-", StringComparison.Ordinal) : NormalizeBenchmark.Line(i));
            Console.WriteLine($"generated {lines:N0} lines ({new FileInfo(file).Length / 1048576.0:F0} MB{(distinctModels ? ", a distinct model on every line" : "")}); PostgreSQL {state.MajorVersion}");
            Run(root, "migrate", "--instance", "bench");
            foreach (var pass in (string[])["first import", "re-import (every call known)"])
            {
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                var (seconds, kb, output, warnings, cpu) = Run(root, "import", file, "--instance", "bench", "--at", "2025-11-20T12:00:00Z");
                Console.WriteLine($"{pass}: {lines / seconds:N0} lines/s including start-up ({seconds:F2} s; {cpu:F2} s of CPU, load average {load} before it), peak RSS {kb / 1024:F0} MB, {warnings:N0} warning line(s) — {output.Trim()}");
            }
            await using var connection = new Npgsql.NpgsqlConnection(
                $"Host=127.0.0.1;Port={state.Port};Database=bench;Username=postgres;Password={state.Password}");
            await connection.OpenAsync();
            await using var size = new Npgsql.NpgsqlCommand(
                "SELECT pg_total_relation_size('telemetry.call_ledger'), (SELECT sum(length(call_ids)) / 16 FROM telemetry.call_ledger), (SELECT count(*) FROM telemetry.call_ledger), pg_total_relation_size('telemetry.token_usage')", connection);
            await using var reader = await size.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (ledgerBytes, calls, entries, usageBytes) = (reader.GetInt64(0), reader.GetDecimal(1), reader.GetInt64(2), reader.GetInt64(3));
            Console.WriteLine($"call_ledger: {ledgerBytes / 1048576.0:F1} MB for {calls:N0} call identities in {entries:N0} entries ({ledgerBytes / (double)calls:F1} bytes per call); token_usage {usageBytes / 1048576.0:F1} MB");
        }
        finally
        {
            await cluster.StopAsync(CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static (double Seconds, double Kb, string Output, int Warnings, double Cpu) Run(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "time: %e s, cpu: %U %S s, peak RSS: %M KB", "dotnet", Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll"), .. args]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', args)} failed: {stderr}");
        var timing = stderr.Split('\n').Last(l => l.StartsWith("time: ", StringComparison.Ordinal)).Split(' ');
        return (double.Parse(timing[1], CultureInfo.InvariantCulture), double.Parse(timing[^2], CultureInfo.InvariantCulture), output,
            stderr.Split('\n').Count(l => l.StartsWith("warning:", StringComparison.Ordinal)),
            double.Parse(timing[4], CultureInfo.InvariantCulture) + double.Parse(timing[5], CultureInfo.InvariantCulture));
    }
}
