using System.Diagnostics;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Runs rendered schedule lines the way cron and systemd do: no inherited environment at all (<c>env -i</c>), the
/// PATH cron gives its jobs (/usr/bin:/bin), the command handed to /bin/sh. Whatever the line needs it must carry.
/// </summary>
public static class CronRunner
{
    public const string CronPath = "/usr/bin:/bin";

    public sealed record Line(string Schedule, string Command);

    /// <summary>The job lines of a crontab: the five time fields, then the command as cron hands it to sh
    /// (cron turns an unescaped % into a newline; \% is a literal %).</summary>
    public static IReadOnlyList<Line> Lines(string crontab) =>
        crontab.Split('\n')
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            .Select(l =>
            {
                var fields = l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6) throw new InvalidOperationException($"not a crontab job line: {l}");
                return new Line(string.Join(' ', fields[..5]), fields[5].Replace("\\%", "%", StringComparison.Ordinal));
            })
            .ToList();

    /// <summary>sh -c command under env -i PATH=/usr/bin:/bin, plus <paramref name="environment"/> (a unit's Environment=).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string command, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        info.ArgumentList.Add("-i");
        info.ArgumentList.Add($"PATH={CronPath}");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.ArgumentList.Add($"{k}={v}");
        foreach (var a in (string[])["/bin/sh", "-c", command]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
