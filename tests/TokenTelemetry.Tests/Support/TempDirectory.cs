namespace TokenTelemetry.Tests.Support;

/// <summary>A temporary folder under the test run's folder that every user can traverse (the embedded Postgres runs
/// as the postgres user when tests run as root). Disposing it stops whatever still runs in it — a cluster a CLI test
/// started, say, when the test failed before `db stop` — and deletes it.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = TestRun.NewFolder("tt-test-");

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        // A running cluster keeps postmaster.pid in its data folder; only then is the reaper needed.
        if (Directory.EnumerateFiles(Path, "postmaster.pid", SearchOption.AllDirectories).Any())
        {
            TestRun.Reap(Path);
            return;
        }
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { TestRun.Reap(Path); } // something still writes in it: stop that first
    }
}
