namespace TokenTelemetry.Ingest;

/// <summary>
/// The canonical path of a file or folder, every symbolic link on the way resolved (POSIX realpath, in managed code so
/// it needs no native library): two paths name the same file exactly when their real paths are equal. A chain of more
/// than 40 links is a loop, as the kernel counts (ELOOP).
/// </summary>
public static class RealPath
{
    public const string Missing = "does not exist";
    public const string Loop = "is a symbolic link loop (too many levels of symbolic links)";
    private const int MaxLinks = 40;

    /// <returns>The real path, or null with <paramref name="why"/> (<see cref="Missing"/>, <see cref="Loop"/>, or an I/O reason).</returns>
    public static string? Resolve(string path, out string why)
    {
        why = "";
        var pending = new Stack<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "/";
        var links = 0;
        try
        {
            while (pending.Count > 0)
            {
                var part = pending.Pop();
                if (part == ".") continue;
                if (part == "..")
                {
                    current = Path.GetDirectoryName(current) ?? "/";
                    continue;
                }
                var next = Path.Join(current, part);
                var info = new FileInfo(next);
                if (info.LinkTarget is { } target)
                {
                    if (++links > MaxLinks)
                    {
                        why = Loop;
                        return null;
                    }
                    foreach (var piece in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(piece);
                    if (target.StartsWith('/')) current = "/";
                    continue;
                }
                if (!info.Exists && !Directory.Exists(next))
                {
                    why = links > 0 ? "is a symbolic link to a path that does not exist" : Missing;
                    return null;
                }
                current = next;
            }
            return current;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            why = $"cannot be read ({e.Message})";
            return null;
        }
    }
}
