using System.Diagnostics;
using Npgsql;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// The one way files come in (DESIGN invariant 16): `import` and the `requests` and `manual` sources all run this. In
/// one transaction under the schema's ingest lock it reads the input — provider payloads through the normalizer, or
/// aggregate rows — checks each record and gives it its identity, counts what <see cref="CallLedger"/> does not hold
/// yet, then writes the touched rows and their ledger entries. Bad records are rejected alone; what the input held of
/// good data is written. Concurrent ingests of the same schema wait for each other, so none loses or doubles calls.
/// </summary>
public sealed class FileIngest(TelemetryDatabase database, UsagePricer pricer, TimeProvider clock, Action<string> progress)
{
    public async Task<IngestResult> RunAsync(IngestRequest request, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var rejections = new RejectionLog();
        var inputs = Input(request, rejections);
        var payloads = inputs.Where(f => !f.Rows).Select(f => f.File).ToList();
        // Files are normalized from here on, on every core, while the connection and schema checks are under way.
        using var reader = payloads.Count > 0
            ? new OrderedPayloadReader(payloads, (file, sink, token) => Normalize(file, request.Format, sink, token), Environment.ProcessorCount, ReadAhead, ct)
            : null;
        await using var connection = await database.OpenConnectionAsync(ct);
        var mode = await SchemaInspector.ConflictModeAsync(connection, database.Schema, ct);
        await SchemaInspector.RequireVersionAsync(connection, database.Schema, 5, ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var store = new CallLedgerStore(database.Schema);
        await store.LockAsync(tx, request.LockWait, progress, ct);
        request = request with { RetainedFrom = await new RetentionStore(database.Schema).HorizonAsync(connection, tx, ct) };
        var ledger = new CallLedger(store, tx, request.Replace);
        ledger.Expect(inputs.Sum(f => f.File == "-" ? 0 : new FileInfo(f.File).Length) / BytesPerCall);
        var now = clock.GetUtcNow();
        var rowFiles = inputs.Where(f => f.Rows).Select(f => f.File).ToList();
        var counts = (reader is not null ? ReadPayloads(reader, request, ledger, now, rejections) : Counts.None)
            .Plus(rowFiles.Count > 0 ? ReadRows(rowFiles, request, ledger, now, rejections, ct) : Counts.None);
        var writer = new IngestWriter(database.Schema, mode, store);
        var (written, deleted) = await writer.WriteAsync(tx, ledger, request, rejections.Count == 0, rowFiles, ct);
        if (counts.Meters.Count > 0) await new SideTablesStore(database.Schema).UpsertMetersAsync(tx, counts.Meters, ct);
        await tx.CommitAsync(CancellationToken.None);
        progress($"ingest: {inputs.Count} file(s) in {watch.Elapsed.TotalSeconds:F1} s");
        return new IngestResult
        {
            Records = counts.Records, NewCalls = counts.NewCalls, AlreadyCounted = counts.AlreadyCounted,
            CountedElsewhere = counts.Elsewhere, RowsWritten = written, RowsDeleted = deleted, Meters = counts.Meters.Count, Unfinished = counts.Unfinished,
            Rejections = rejections.Listed, MoreRejections = rejections.More,
        };
    }

    /// <summary>A low guess of the bytes a call takes in a log (a bare response is ~200 bytes; agent logs carry
    /// more text per call), to size the identity map once.</summary>
    private const long BytesPerCall = 220;

    private sealed record Counts(long Records, long NewCalls, long AlreadyCounted, IReadOnlyDictionary<string, long> Elsewhere, IReadOnlyList<MeterRow> Meters,
        long Unfinished = 0)
    {
        public static readonly Counts None = new(0, 0, 0, new Dictionary<string, long>(), []);

        public Counts Plus(Counts o) => new(Records + o.Records, NewCalls + o.NewCalls, AlreadyCounted + o.AlreadyCounted,
            Elsewhere.Concat(o.Elsewhere).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value)), [.. Meters, .. o.Meters], Unfinished + o.Unfinished);
    }

    /// <summary>The files to read and, for each, whether it holds aggregate rows. A file named on its own is read whatever
    /// its name; in a folder, files with the extensions of the request's kind (or of both kinds, each file deciding
    /// for itself: CSV, or JSON with window_start, is rows).</summary>
    private static List<(string File, bool Rows)> Input(IngestRequest request, RejectionLog rejections)
    {
        if (request.Path == "-") return [("-", request.Rows ?? false)];
        var found = InputFiles.Find(request.Path, request.BaseDirectory, request.Rows switch
        {
            true => InputFiles.RowExtensions,
            false => InputFiles.PayloadExtensions,
            null => [.. InputFiles.PayloadExtensions.Union(InputFiles.RowExtensions)],
        });
        foreach (var problem in found.Problems) rejections.Add(problem.Split(": ")[0], problem[(problem.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        return found.Files.Select(f => (f, request.Rows ?? IsRowsFile(f))).ToList();
    }

    /// <summary>Normalized events read ahead of the ledger, files ahead of the one being counted together (each event a
    /// call, meter or rejection with its raw usage JSON: about a kilobyte each).</summary>
    private const int ReadAhead = 4_096;

    private static void Normalize(string file, string format, INormalizedSink sink, CancellationToken ct)
    {
        using var input = file == "-" ? Invocation.Current.Terminal.OpenInput() : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        new UsageNormalizer(sink, format).Run(input, UnsettledSince(file), ct);
    }

    private Counts ReadPayloads(OrderedPayloadReader reader, IngestRequest request, CallLedger ledger, DateTimeOffset now, RejectionLog rejections)
    {
        var sink = new CallSink(ledger, request, pricer, now, rejections);
        reader.Drain(sink, file => sink.File = file, (file, e) => rejections.Add(file, $"cannot be read ({e.Message})"));
        return new Counts(sink.Records, sink.NewCalls, sink.AlreadyCounted, sink.CountedElsewhere, sink.Meters.ToList(), sink.UnfinishedCalls);
    }

    /// <summary>A file written to within this long may still be growing (a live log): a call whose stream is open at
    /// its end, with a time this recent or none, is left for a later read rather than counted with partial usage.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(15);

    /// <summary>Whether a file may be mid-write is a fact of the file system, so this uses the real clock and the file's
    /// modification time — never to place or identify a call, only to wait for one to finish.</summary>
    private static DateTimeOffset? UnsettledSince(string file)
    {
        if (file == "-") return null;
        var now = DateTimeOffset.UtcNow;
        return now - new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero) < Settle ? now - Settle : null;
    }

    private Counts ReadRows(IReadOnlyList<string> files, IngestRequest request, CallLedger ledger, DateTimeOffset now, RejectionLog rejections, CancellationToken ct)
    {
        var sink = new RowSink(ledger, request.RetainedFrom);
        var reader = new AggregateRowReader(request.SourceSystem, pricer, now, rejections, request.RowUserId, request.RowProjectId);
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                reader.ReadFile(file, sink.Accept, ct);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                rejections.Add(file, $"cannot be read ({e.Message})");
            }
        }
        foreach (var (where, why) in sink.Refused) rejections.Add(where, why);
        return new Counts(sink.Records, sink.NewRows, sink.AlreadyCounted, sink.CountedElsewhere, []);
    }

    /// <summary>CSV, or JSON whose first record has a window_start column: aggregate rows, not provider payloads.</summary>
    private static bool IsRowsFile(string file)
    {
        if (Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            using var reader = new StreamReader(file);
            var head = new char[4096];
            var n = reader.Read(head, 0, head.Length);
            return new string(head, 0, n).Contains("\"window_start\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
