using System.Text.RegularExpressions;

namespace TokenTelemetry.Database;

/// <summary>A folder holding initdb, pg_ctl and postgres, and the major version they are.</summary>
public sealed partial record PostgresBinaries(string BinDirectory, int MajorVersion)
{
    public string Initdb => Path.Combine(BinDirectory, "initdb");
    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    /// <summary>The given folder, else initdb on PATH, else the newest /usr/lib/postgresql/*/bin.</summary>
    public static async Task<PostgresBinaries> FindAsync(string? binDirectory, CancellationToken ct)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(binDirectory)) candidates.Add(binDirectory);
        else
        {
            candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
            if (Directory.Exists("/usr/lib/postgresql"))
                candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                    .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                    .Select(d => Path.Combine(d, "bin")));
        }
        foreach (var dir in candidates)
        {
            var initdb = Path.Combine(dir, "initdb");
            if (!File.Exists(initdb) || !File.Exists(Path.Combine(dir, "pg_ctl"))) continue;
            // Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) so pg_ctl finds its postgres.
            var real = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
            var realDir = Path.GetDirectoryName(real)!;
            var version = await ProcessRunner.RunAsync(Path.Combine(realDir, "initdb"), ["--version"], asPostgresUser: false, ct);
            var match = VersionPattern().Match(version.Output);
            if (version.ExitCode == 0 && match.Success) return new PostgresBinaries(realDir, int.Parse(match.Groups[1].Value));
        }
        throw new TelemetryException(
            string.IsNullOrWhiteSpace(binDirectory) ? "no PostgreSQL server binaries (initdb, pg_ctl) found on PATH or under /usr/lib/postgresql/*/bin"
                : $"no initdb/pg_ctl in {binDirectory}",
            "install them (Debian/Ubuntu: apt-get install postgresql), set postgres.embedded_bin_dir, or use an external Postgres with postgres.embedded: false");
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex VersionPattern();
}
