namespace TokenTelemetry.Ingest;

/// <summary>
/// The files a path names: the file itself, or a folder's files with the given extensions, recursively, in name
/// order. Symbolic links are followed, but each real file and folder is read once however many links reach it
/// (a linked folder inside an imported folder adds nothing) and a symlink loop ends the walk there. Problems inside
/// a folder (a loop, a dangling link, a folder that cannot be read) are reported beside the files that were found;
/// a path that cannot be read at all is an error of its own. Empty entries (and pipes and devices, which report size 0)
/// in a folder are skipped; a file named on its own is read whatever it is.
/// </summary>
public static class InputFiles
{
    public static readonly string[] PayloadExtensions = [".jsonl", ".ndjson", ".json", ".sse", ".log"];
    public static readonly string[] RowExtensions = [".csv", ".json", ".jsonl"];

    public sealed record Found(IReadOnlyList<string> Files, IReadOnlyList<string> Problems);

    public static Found Find(string path, string baseDirectory, IReadOnlyCollection<string> extensions)
    {
        var full = Path.GetFullPath(path, baseDirectory);
        var real = RealPath.Resolve(full, out var why)
            ?? throw new IngestPathException($"{full}: {why}", why == RealPath.Missing
                ? "check the path (relative paths start at the current folder for import, at the instance folder for a source)"
                : "point at the real file or folder");
        if (File.Exists(real)) return new Found([full], []);
        var files = new List<string>();
        var problems = new List<string>();
        Walk(full, extensions, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), files, problems);
        files.Sort(StringComparer.Ordinal);
        return new Found(files, problems);
    }

    private static void Walk(string directory, IReadOnlyCollection<string> extensions, HashSet<string> seenDirectories, HashSet<string> seenFiles,
        List<string> files, List<string> problems)
    {
        if (RealPath.Resolve(directory, out var why) is not { } real)
        {
            problems.Add($"{directory}: {why}");
            return;
        }
        if (!seenDirectories.Add(real)) return; // reached before, through another link
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            problems.Add($"{directory}: cannot list the folder ({e.Message})");
            return;
        }
        foreach (var entry in entries)
        {
            if (Directory.Exists(entry))
            {
                Walk(entry, extensions, seenDirectories, seenFiles, files, problems);
                continue;
            }
            if (!extensions.Contains(Path.GetExtension(entry).ToLowerInvariant())) continue;
            // A plain file's real path is the folder's real path and its name; only a link needs resolving.
            var fileWhy = "";
            var realFile = new FileInfo(entry).LinkTarget is null ? Path.Join(real, Path.GetFileName(entry)) : RealPath.Resolve(entry, out fileWhy);
            if (realFile is null)
            {
                problems.Add($"{entry}: {fileWhy}");
                continue;
            }
            // Empty entries hold nothing to read — and FIFOs and devices (a link to /dev/zero, a named pipe) report size
            // 0: opening them would block or never end, so a folder walk leaves them alone.
            if (File.Exists(realFile) && new FileInfo(realFile).Length > 0 && seenFiles.Add(realFile)) files.Add(entry);
        }
    }
}
