namespace TokenTelemetry.Sources;

/// <summary>The files a path names: the file itself, or a folder's matching files (recursively, in name order).</summary>
public static class InputFiles
{
    public static IReadOnlyList<string> Find(string path, string baseDirectory, params string[] extensions)
    {
        var full = Path.GetFullPath(path, baseDirectory);
        if (File.Exists(full)) return [full];
        if (!Directory.Exists(full)) throw new SourceException($"{full} does not exist — check the source's path (relative paths start at the instance folder)");
        return Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
