using System.Text.Json;
using TokenTelemetry.Database;
using TokenTelemetry.Model;

namespace TokenTelemetry.Ingest;

/// <summary>
/// The write half of an ingest, in its transaction: the touched rows (replacing what is stored: their totals already
/// include it), their ledger entries, and for a snapshot of aggregate rows the rows it no longer produces. A row at
/// a touched key that has no ledger entry was written before V0002 or by another source; it is taken over only
/// when that loses nothing (see <see cref="CheckTakeover"/>).
/// </summary>
public sealed class IngestWriter(SchemaName schema, ConflictMode mode, CallLedgerStore store)
{
    /// <param name="files">The rows files this ingest read: for a snapshot, the rows they produced before and no longer do go.</param>
    public async Task<(long Written, long Deleted)> WriteAsync(Npgsql.NpgsqlTransaction tx, CallLedger ledger, IngestRequest request, bool clean,
        IReadOnlyList<string> files, CancellationToken ct)
    {
        var groups = ledger.Touched.ToList();
        var rows = groups.Select(g => g.AggregateRow ?? g.Totals!.ToRow(g.Key, request.Granularity)).ToList();
        var fresh = groups.Where(g => g.StoredKind is null).ToDictionary(g => g.Key);
        var unledgered = await store.UnledgeredAsync(tx, rows.Where(r => fresh.ContainsKey(KeyOf(r))).ToList(), ct);
        foreach (var stored in unledgered) CheckTakeover(stored, fresh[KeyOf(stored)], request);

        var written = await new UsageWriter(schema, mode).UpsertAsync(tx, rows, ct);
        var packed = ledger.PackNewIds();
        await store.WriteAsync(tx, groups.Select((g, i) => new CallLedgerStore.Write(rows[i], g.Kind, packed[g], g.Rebuild || g.StoredKind is null)).ToList(), ct);
        if (ledger.LoadedFrom is { } from && ledger.LoadedTo is { } to) await store.DeleteOrphansAsync(tx, from, to, ct);

        long deleted = 0;
        var own = rows.Where(r => r.SourceSystem == request.SourceSystem).ToList();
        if (request.Snapshot && clean && files.Count > 0)
            deleted = await store.DeleteUnproducedRowsAsync(tx, request.SourceSystem, files,
                own.Count > 0 ? own.Min(r => r.WindowStart) : DateTimeOffset.MaxValue, own.Count > 0 ? own.Max(r => r.WindowEnd) : DateTimeOffset.MaxValue, ct);
        return (written, deleted);
    }

    private static GroupKey KeyOf(TokenUsageRow r) =>
        new(r.SourceSystem, r.ModelId, r.WindowStart.ToUniversalTime(), r.WindowEnd.ToUniversalTime(), r.UserId, r.ProjectId);

    /// <summary>
    /// An aggregate row replaces what is stored at its key, as an upsert always did. Calls replace a row summed from
    /// request files before V0002 (raw_usage.files) when this input holds all of those files — a re-import after the
    /// upgrade — or with --replace; otherwise writing would drop calls of other files, so nothing is written. Calls
    /// never replace a row another source's collector wrote, unless --replace says so.
    /// </summary>
    private static void CheckTakeover(TokenUsageRow stored, IngestGroup group, IngestRequest request)
    {
        if (group.AggregateRow is not null || request.Replace) return;
        var files = FilesOf(stored.RawUsage);
        if (files is null)
            throw new TelemetryException(
                $"{group.Key} holds a row that is not a sum of counted calls (written by a collector or from a rows file); nothing was written",
                "import these calls under another --source-system (the default is import), or pass --replace to overwrite that row");
        // The requests source read its whole folder as the truth before V0002: its own rows were replaced each cycle.
        if (request.TakesOverItsLegacyRows && stored.SourceSystem == request.SourceSystem) return;
        var missing = files.Where(f => !group.Files.Contains(f)).ToList();
        if (missing.Count > 0)
            throw new TelemetryException(
                $"{group.Key} holds calls imported before this version from {string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", …" : "")}, which this input does not contain; writing would drop them, so nothing was written",
                "import those files together with these (one folder), or pass --replace to rebuild the row from this input");
    }

    private static string[]? FilesOf(string? rawUsage)
    {
        if (string.IsNullOrEmpty(rawUsage)) return null;
        using var json = JsonDocument.Parse(rawUsage);
        return json.RootElement.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
            ? files.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : null;
    }
}
