namespace TokenTelemetry.Tests.Support;

/// <summary>A temporary folder every user can traverse (the embedded Postgres runs as the postgres user when
/// tests run as root), deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tt-test-").FullName;

    public TempDirectory()
    {
        if (!OperatingSystem.IsWindows())
            System.IO.File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a stopped cluster may still be releasing files; the OS cleans /tmp */ }
        catch (UnauthorizedAccessException) { }
    }
}
