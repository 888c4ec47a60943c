using System.Diagnostics;
using System.Globalization;

namespace TokenTelemetry.Benchmarks;

/// <summary>Runs a program under GNU time: wall seconds, CPU seconds (user + system, all its threads and children),
/// peak resident memory, and its output.</summary>
public static class TimedRun
{
    public sealed record Result(double Seconds, double PeakMb, string Stdout, string Stderr, int ExitCode, double CpuSeconds);

    public static Result Run(string directory, IDictionary<string, string>? environment, string program, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-f", "time: %e s, cpu: %U %S s, peak RSS: %M KB", program, .. args]) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var timing = stderr.Split('\n').LastOrDefault(l => l.StartsWith("time: ", StringComparison.Ordinal))?.Split(' ')
            ?? throw new InvalidOperationException($"{program} {string.Join(' ', args)}: no timing ({stderr})");
        return new Result(double.Parse(timing[1], CultureInfo.InvariantCulture), double.Parse(timing[^2], CultureInfo.InvariantCulture) / 1024,
            stdout.Result, stderr, process.ExitCode,
            double.Parse(timing[4], CultureInfo.InvariantCulture) + double.Parse(timing[5], CultureInfo.InvariantCulture));
    }
}
