namespace TokenTelemetry.Rendering;

/// <summary>Writes rendered files under a folder; shell scripts become executable.</summary>
public static class KitFiles
{
    public static void Write(string root, IEnumerable<(string Path, string Content)> files)
    {
        foreach (var (path, content) in files)
        {
            var full = System.IO.Path.Combine(root, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            if (full.EndsWith(".sh", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }
}
