using System.Diagnostics;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class DaemonTests
{
    [Fact]
    public async Task The_daemon_runs_a_cycle_waits_for_the_next_and_stops_cleanly_on_sigterm()
    {
        using var instance = await CliInstance.CreateAsync("""
            subscriptions:
              enabled: true
              plans:
                - name: Team
                  provider: openai
                  monthly_usd: 10
            """);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = instance.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll"), "collect", "--daemon", "--interval", "1h"]) info.ArgumentList.Add(a);
        foreach (var (k, v) in instance.Environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadLineAsync();

        (await stdout.WaitAsync(TimeSpan.FromSeconds(60)))!.ShouldStartWith("subscriptions  ok ");
        var waitingDeadline = DateTime.UtcNow.AddSeconds(30);
        while (!Snapshot(stderr).Contains("next cycle at ", StringComparison.Ordinal) && DateTime.UtcNow < waitingDeadline) await Task.Delay(20);
        Snapshot(stderr).ShouldContain("next cycle at ");

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
        var stopped = process.WaitForExitAsync();
        (await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(15)))).ShouldBe(stopped, "the daemon did not stop on SIGTERM");
        process.ExitCode.ShouldBe(0);
        Snapshot(stderr).ShouldContain("collector daemon stopped");
    }

    private static string Snapshot(System.Text.StringBuilder sb)
    {
        lock (sb) return sb.ToString();
    }
}
