using System.Text.Json;
using Cocona;
using Dapper;
using Npgsql;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Commands;

public sealed class ImportCommand
{
    [Command("import", Description = "Ingest per-request payloads (JSONL) or aggregate rows (CSV/JSON): normalize, price, roll up, upsert")]
    public async Task<int> Import(GlobalOptions global,
        [Argument(Description = "A file, a folder, or - for stdin")] string path,
        [Option(Description = "auto, a route (see normalize), or rows for aggregate CSV/JSON rows")] string format = "auto",
        [Option("source-system", Description = "source_system of the rows (default: import; rows files: their own column, else import)")] string? sourceSystem = null,
        [Option("user-id", Description = "user_id of the rows (default: identity.user_id, else org level)")] string? userId = null,
        [Option("project-id", Description = "project_id of the rows")] string? projectId = null,
        [Option(Description = "Window of the rolled-up rows: hour or day")] string granularity = "hour",
        [Option(Description = "Provider to record instead of the route's own")] string? provider = null,
        [Option(Description = "Overwrite rows that sum calls imported from other files (refused by default: those calls would be lost)")] bool replace = false)
    {
        var ct = ProcessLifetime.Token;
        var g = granularity switch
        {
            "hour" => Granularity.Hour,
            "day" => Granularity.Day,
            _ => throw new TelemetryException($"--granularity '{granularity}' is not hour or day"),
        };
        var instance = InstanceLoading.Load(global, requireSources: false);
        var sourceContext = await CollectionSetup.ContextAsync(instance, ct);
        var rowsFormat = format == "rows" || (format == "auto" && path != "-" && IsRowsFile(path));
        IReadOnlyList<TokenUsageRow> rows;
        IReadOnlyList<MeterRow> meters = [];
        IReadOnlyList<string> rejections;
        long accepted;
        if (rowsFormat)
        {
            var reader = new ManualRowReader(sourceSystem ?? "import", sourceContext.Pricer);
            foreach (var file in InputFiles.Find(path, Directory.GetCurrentDirectory(), ManualSource.Extensions)) reader.ReadFile(file);
            (rows, rejections, accepted) = (reader.Rows, reader.Rejections, reader.Rows.Count);
        }
        else
        {
            var files = path == "-" ? ["-"] : InputFiles.Find(path, Directory.GetCurrentDirectory(), RequestsSource.Extensions);
            var rollup = RequestsSource.Import(files, sourceSystem ?? "import", g, format, userId ?? instance.Config.Identity.UserId, projectId, sourceContext, ct, provider);
            (rows, meters, rejections, accepted) = (rollup.Rows(), rollup.Meters, rollup.Rejections, rollup.Accepted);
        }
        foreach (var r in rejections) Terminal.Error(r);

        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        var mode = await SchemaInspector.ConflictModeAsync(connection, database.Schema, ct);
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            if (!rowsFormat && !replace) await RefuseToDropOtherFilesAsync(connection, tx, database.Schema, rows, ct);
            await new UsageWriter(database.Schema, mode).UpsertAsync(tx, rows, ct);
            if (meters.Count > 0) await new SideTablesStore(database.Schema).UpsertMetersAsync(tx, meters, ct);
            await tx.CommitAsync(CancellationToken.None);
        }
        Terminal.Out($"imported {accepted} record(s) into {rows.Count} row(s){(meters.Count > 0 ? $" and {meters.Count} meter reading(s)" : "")}; {rejections.Count} rejected");
        return rejections.Count > 0 ? 2 : 0;
    }

    /// <summary>
    /// A payload row sums the calls of the files it was imported from (raw_usage.files). Writing a row for the same
    /// (source, model, window, user, project) replaces the stored one, so importing a second file that covers the
    /// same hour would silently drop the first file's calls: refuse, naming the file, before anything is written.
    /// Re-importing the same files (or a superset of them) replaces, as intended.
    /// </summary>
    private static async Task RefuseToDropOtherFilesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, SchemaName schema,
        IReadOnlyList<TokenUsageRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var incoming = rows.ToDictionary(r => (r.ModelId, r.WindowStart.UtcDateTime, r.UserId, r.ProjectId), r => FilesOf(r.RawUsage));
        var stored = await connection.QueryAsync<(string ModelId, DateTime WindowStart, string? UserId, string? ProjectId, string Raw)>(new CommandDefinition($"""
            SELECT model_id, window_start, user_id, project_id, raw_usage::text FROM {schema.Quoted}.token_usage
            WHERE source_system = @source AND granularity::text = @granularity
              AND window_start = ANY(@starts) AND model_id = ANY(@models) AND raw_usage ? 'files'
            """,
            new
            {
                source = rows[0].SourceSystem, granularity = rows[0].Granularity.Label(),
                starts = rows.Select(r => r.WindowStart.UtcDateTime).Distinct().ToArray(), models = rows.Select(r => r.ModelId).Distinct().ToArray(),
            }, tx, cancellationToken: ct));
        var dropped = stored
            .Where(s => incoming.TryGetValue((s.ModelId, DateTime.SpecifyKind(s.WindowStart, DateTimeKind.Utc), s.UserId, s.ProjectId), out var now)
                        && FilesOf(s.Raw).Except(now, StringComparer.Ordinal).Any())
            .ToList();
        if (dropped.Count == 0) return;
        var files = dropped.SelectMany(s => FilesOf(s.Raw)).Distinct().Order(StringComparer.Ordinal).ToList();
        throw new TelemetryException(
            $"{dropped.Count} row(s) of this import already hold calls from other files ({string.Join(", ", files.Take(3))}{(files.Count > 3 ? ", …" : "")}); writing would drop them, so nothing was written",
            "import those files together (put them in one folder and import the folder), keep them apart with --project-id or --source-system, or pass --replace to overwrite");
    }

    private static string[] FilesOf(string? rawUsage)
    {
        if (string.IsNullOrEmpty(rawUsage)) return [];
        using var json = JsonDocument.Parse(rawUsage);
        return json.RootElement.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
            ? files.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : [];
    }

    /// <summary>CSV, or JSON whose first record has a window_start column: aggregate rows, not provider payloads.</summary>
    private static bool IsRowsFile(string path)
    {
        var full = Path.GetFullPath(path);
        var first = File.Exists(full) ? full : Directory.Exists(full)
            ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (first is null) return false;
        if (Path.GetExtension(first).Equals(".csv", StringComparison.OrdinalIgnoreCase)) return true;
        using var reader = new StreamReader(first);
        var head = new char[4096];
        var n = reader.Read(head, 0, head.Length);
        return new string(head, 0, n).Contains("\"window_start\"", StringComparison.Ordinal);
    }
}
