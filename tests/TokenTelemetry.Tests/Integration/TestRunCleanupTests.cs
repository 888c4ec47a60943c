using System.Diagnostics;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The suite leaves nothing behind (Support/TestRun, Support/reap.sh): a real cluster started in a test's folder is
/// stopped and the folder deleted when the folder is disposed, and when the process holding the reaper's pipe dies by
/// SIGKILL — what happens to the whole run on Ctrl-C or a crash. (.ci/run checks the same of a whole run.)
/// </summary>
public sealed class TestRunCleanupTests
{
    [Fact]
    public async Task Disposing_a_temp_folder_stops_the_cluster_running_in_it_and_deletes_it()
    {
        var dir = new TempDirectory();
        var postmaster = await StartClusterAsync(dir.Path);
        IsAlive(postmaster).ShouldBeTrue();

        dir.Dispose();

        IsAlive(postmaster).ShouldBeFalse();
        Directory.Exists(dir.Path).ShouldBeFalse();
    }

    [Fact]
    public async Task When_the_process_holding_the_reapers_pipe_is_killed_the_run_folder_is_stopped_and_deleted()
    {
        var folder = TestRun.NewFolder("reap-test-");
        var postmaster = await StartClusterAsync(folder);
        using var inside = Process.Start(new ProcessStartInfo("sleep", ["600"]) { WorkingDirectory = folder })!; // a tool run inside it
        // `sleep | reaper`: the sleep holds the write end of the reaper's stdin, as the test host does for the run.
        using var pipeline = Process.Start(new ProcessStartInfo("bash", ["-c", "sleep 600 | setsid bash \"$0\" --on-eof \"$1\"", TestRun.ReapScript, folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var holder = await ChildAsync(pipeline.Id, "sleep");
        await Task.Delay(300);
        IsAlive(postmaster).ShouldBeTrue(); // nothing happens while the holder lives

        Process.GetProcessById(holder).Kill(); // SIGKILL: no handler of the holder runs
        await pipeline.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        pipeline.ExitCode.ShouldBe(0);
        IsAlive(postmaster).ShouldBeFalse();
        inside.HasExited.ShouldBeTrue();
        Directory.Exists(folder).ShouldBeFalse();
    }

    [Fact]
    public async Task The_reaper_refuses_a_folder_that_is_not_a_test_runs()
    {
        using var reap = Process.Start(new ProcessStartInfo("bash", [TestRun.ReapScript, "/tmp"]) { RedirectStandardError = true })!;
        var stderr = await reap.StandardError.ReadToEndAsync();
        await reap.WaitForExitAsync();
        reap.ExitCode.ShouldBe(2);
        stderr.ShouldBe("reap.sh: '/tmp' is not a test run's folder (…/tt-suite-*)\n");
        Directory.Exists("/tmp").ShouldBeTrue();
    }

    private static async Task<int> StartClusterAsync(string folder)
    {
        var embedded = new EmbeddedPostgres(Path.Combine(folder, "data"), Path.Combine(folder, "state.json"), null,
            new Dictionary<string, string> { ["fsync"] = "off" });
        await embedded.StartAsync(null, CancellationToken.None);
        return int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First());
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static async Task<int> ChildAsync(int parent, string name)
    {
        for (var i = 0; i < 100; i++)
        {
            foreach (var stat in Directory.GetDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
            {
                string text;
                try { text = await File.ReadAllTextAsync(Path.Combine(stat, "stat")); }
                catch (IOException) { continue; }
                // pid (comm) state ppid …
                var close = text.LastIndexOf(')');
                var comm = text[(text.IndexOf('(') + 1)..close];
                var ppid = int.Parse(text[(close + 2)..].Split(' ')[1]);
                if (ppid == parent && comm == name) return int.Parse(Path.GetFileName(stat));
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no '{name}' child of {parent}");
    }
}
