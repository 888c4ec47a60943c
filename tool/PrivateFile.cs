using System.Text;

namespace TokenTelemetry;

/// <summary>
/// Writes files that hold a secret (the embedded cluster's password, its state file): owner-only (mode 600) from the
/// first byte. The file is created under a fresh name with that mode — never written first and restricted after — and
/// then renamed over the target, so an existing file with looser permissions is replaced, not reused.
/// </summary>
public static class PrivateFile
{
    public static void WriteAllText(string path, string text)
    {
        var temporary = TemporaryName(path);
        try
        {
            using (var stream = new FileStream(temporary, Options()))
                stream.Write(Encoding.UTF8.GetBytes(text));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static async Task WriteAllTextAsync(string path, string text, CancellationToken ct)
    {
        var temporary = TemporaryName(path);
        try
        {
            await using (var stream = new FileStream(temporary, Options()))
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string TemporaryName(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static FileStreamOptions Options()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}
