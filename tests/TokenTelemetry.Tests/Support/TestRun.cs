using System.Diagnostics;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// The one folder of this test run, <c>$TMPDIR/tt-suite-&lt;run&gt;-&lt;pid&gt;</c>: every Postgres cluster and temporary folder
/// the suite makes lives under it, so the run's leftovers are identifiable among other runs on the same machine
/// (<c>TT_TEST_RUN_ID</c>, set by .ci/run, names the run; default "local"). A reaper (Support/reap.sh, in its own session
/// so Ctrl-C does not reach it) holds a pipe from this process: when the run ends — normally, by a failure, Ctrl-C or
/// SIGKILL — it stops every process started under the folder and deletes it. At a normal end <see cref="Finish"/>
/// closes the pipe and waits, so nothing is left once `dotnet test` returns.
/// </summary>
public static class TestRun
{
    private static readonly Lazy<(string Root, Process Reaper)> State = new(Start);

    public static string Id { get; } = Environment.GetEnvironmentVariable("TT_TEST_RUN_ID") is { Length: > 0 } id ? id : "local";

    public static string Root => State.Value.Root;

    public static string ReapScript { get; } = Path.Combine(AppContext.BaseDirectory, "reap.sh");

    /// <summary>A new folder under the run's folder that the postgres user can traverse (clusters run as that user under root).</summary>
    public static string NewFolder(string prefix)
    {
        var path = Path.Combine(Root, $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)]);
        Directory.CreateDirectory(path);
        Traversable(path);
        return path;
    }

    /// <summary>Stops what runs under <paramref name="folder"/> (of this run) and deletes it, synchronously.</summary>
    public static void Reap(string folder)
    {
        using var reap = Process.Start(new ProcessStartInfo("bash", [ReapScript, folder]) { RedirectStandardError = true })!;
        var stderr = reap.StandardError.ReadToEnd();
        reap.WaitForExit();
        if (reap.ExitCode != 0) throw new InvalidOperationException($"reap.sh {folder} failed ({reap.ExitCode}): {stderr}");
    }

    /// <summary>The end of a normal run (called by <see cref="SuiteFramework"/>): the reaper cleans up now, and we wait for it.</summary>
    public static void Finish()
    {
        if (!State.IsValueCreated) return;
        var reaper = State.Value.Reaper;
        reaper.StandardInput.Close();
        if (!reaper.WaitForExit(TimeSpan.FromSeconds(90)))
            Console.Error.WriteLine($"test run clean-up: the reaper of {State.Value.Root} is still running after 90 s");
    }

    private static (string, Process) Start()
    {
        var root = Path.Combine(Path.GetTempPath(), $"tt-suite-{Id}-{Environment.ProcessId}");
        if (Directory.Exists(root)) Reap(root); // left by an earlier process with this pid, whose reaper failed
        Directory.CreateDirectory(root);
        Traversable(root);
        // setsid: a session of its own, so the terminal's Ctrl-C reaches the tests but not their clean-up.
        var info = new ProcessStartInfo("setsid", ["bash", ReapScript, "--on-eof", root])
        {
            RedirectStandardInput = true,
            // Not the test host's own stdout/stderr: a runner reading those to their end must not wait for the reaper.
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var reaper = Process.Start(info) ?? throw new InvalidOperationException("could not start the test run's reaper (setsid, bash)");
        return (root, reaper);
    }

    private static void Traversable(string path)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }
}
