using System.Diagnostics;

namespace TokenTelemetry.Database;

/// <summary>Runs a command to completion, capturing its output; as the postgres user when we are root,
/// because Postgres refuses to run as root.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output);

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>util-linux keeps runuser in /usr/sbin, which the PATH of cron jobs and systemd units (/usr/bin:/bin) lacks.</summary>
    private static readonly Lazy<string> RunUser = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(dir => Path.Combine(dir, "runuser"))
            .FirstOrDefault(File.Exists) ?? "runuser");

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, bool asPostgresUser, CancellationToken ct)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgresUser && IsRoot)
        {
            info.FileName = RunUser.Value;
            foreach (var a in (string[])["-u", "postgres", "--", file]) info.ArgumentList.Add(a);
        }
        else info.FileName = file;
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // Postgres tools inherit the working directory; root's may be unreadable to the postgres user.
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info) ?? throw new TelemetryException($"could not start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new Result(process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
