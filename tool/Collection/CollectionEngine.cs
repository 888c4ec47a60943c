using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Collection;

/// <summary>
/// Runs sources over their due windows (DESIGN §4, §5, §7). Each source runs isolated — its failure is recorded and
/// the next source runs — under a per-source <see cref="CollectorLock"/>, so overlapping collectors never work on one
/// source together. A window's rows, its billed-cost days and the watermark covering them commit in one transaction
/// (invariant 12); empty windows advance the watermark too. File sources are ingested through <see cref="FileIngest"/>,
/// the path `import` takes. At the end every enabled source gets its watchdog_status row, and the collector its
/// __heartbeat__, even when every source failed.
/// </summary>
public sealed class CollectionEngine(TelemetryDatabase database, InstanceConfig config, TimeProvider clock, Action<string> progress, Action<string> warn,
    UsagePricer? pricer = null, ILogger? log = null)
{
    private readonly ILogger _log = log ?? NullLogger.Instance;
    private readonly SchemaName _schema = database.Schema;
    private DateTimeOffset? _horizon;

    public async Task<IReadOnlyList<SourceOutcome>> RunCycleAsync(IReadOnlyList<ICollectionSource> sources, CollectionRange? explicitRange, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var mode = await SchemaInspector.ConflictModeAsync(connection, _schema, ct);
        await SchemaInspector.RequireVersionAsync(connection, _schema, 5, ct);
        _horizon = await new StorageUpkeep(_schema).RunAsync(connection, config.Retention, clock.GetUtcNow(), progress, warn, ct);
        var outcomes = new List<SourceOutcome>();
        foreach (var source in sources)
        {
            ct.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var outcome = await RunSourceAsync(source, mode, explicitRange, ct);
            _log.LogDebug("collect: {Source} {Status} in {Milliseconds} ms: {Windows} window(s), {Rows} row(s)", source.Name, outcome.Status,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome.Windows, outcome.Rows);
            outcomes.Add(outcome);
        }
        await new Freshness(_schema, config, clock).WriteAsync(connection, sources, outcomes, ct);
        return outcomes;
    }

    private async Task<SourceOutcome> RunSourceAsync(ICollectionSource source, ConflictMode mode, CollectionRange? explicitRange, CancellationToken ct)
    {
        if (config.Watchdog.Paused.TryGetValue(source.Name, out var why))
            return new SourceOutcome(source.Name, SourceStatus.Ok, $"paused: {why}");
        var (held, holder) = await CollectorLock.TryTakeAsync(database, source.Name, ct);
        if (held is null) return LockedOut(source, holder!);
        await using var _ = held;
        try
        {
            return source.Capabilities.Windowed
                ? await CollectWindowedAsync(source, mode, explicitRange, ct)
                : await CollectSnapshotAsync(source, mode, ct);
        }
        catch (SourceException e)
        {
            warn($"{source.Name} failed: {e.Message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException and not NpgsqlException and not TelemetryException)
        {
            var message = $"unexpected {e.GetType().Name}: {e.Message} (a bug: rerun with --verbose and report it)";
            warn($"{source.Name} failed: {message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, message);
        }
        catch (PostgresException e)
        {
            var message = $"the database refused {source.Name}'s rows: {e.MessageText} ({e.ConstraintName ?? e.SqlState}); nothing of the failing window was written";
            warn($"{source.Name} failed: {message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, message);
        }
    }

    /// <summary>Another collector holds the source: skip it this cycle — but a lock held for longer than one cycle is a
    /// stuck or runaway collector, reported as the source's error rather than a quiet skip.</summary>
    private SourceOutcome LockedOut(ICollectionSource source, CollectorLock.Holder holder)
    {
        if (holder.HeldFor is { } heldFor && heldFor > config.Scheduler.Interval && holder.Since is { } since)
        {
            var message = $"another collector (backend pid {holder.Pid}) has held {source.Name}'s lock since {since:u}, longer than one cycle ({Durations.Format(config.Scheduler.Interval)}): " +
                          $"a stuck collector or a very long backfill; if no collector is running, end it with SELECT pg_terminate_backend({holder.Pid})";
            warn($"{source.Name} failed: {message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, message);
        }
        var skipped = $"skipped {source.Name}: another collector is working on it right now";
        warn(skipped);
        return new SourceOutcome(source.Name, SourceStatus.Skipped, skipped);
    }

    private async Task<SourceOutcome> CollectWindowedAsync(ICollectionSource source, ConflictMode mode, CollectionRange? explicitRange, CancellationToken ct)
    {
        var g = source.Capabilities.Granularity;
        await using var connection = await database.OpenConnectionAsync(ct);
        var watermarks = new WatermarkStore(_schema, mode);
        CollectionRange? range;
        if (explicitRange is not null)
            range = new CollectionRange(WindowGrid.Floor(explicitRange.Start, g), WindowGrid.Ceiling(explicitRange.End, g));
        else
        {
            Watermark? mark;
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                mark = await watermarks.ReadAsync(tx, source.Name, null, g, ct);
                await tx.CommitAsync(ct);
            }
            if (mark is { WasSnapped: true })
                warn($"{source.Name}: watermark {mark.Stored:u} is off the {g.Label()} grid; it snaps forward to {mark.Value:u}");
            range = WindowPlanner.Plan(source.Capabilities, config.Scheduler, clock.GetUtcNow(), mark?.Value, m => warn($"{source.Name}: {m}"));
        }
        // Retention dropped the detail before the horizon and the rollups hold its totals: writing it again would count it twice.
        if (range is not null && _horizon is { } horizon && range.Start < horizon)
        {
            warn($"{source.Name}: windows before the retention horizon {horizon:u} are skipped (their hourly detail was dropped; the rollups keep their totals)");
            var start = WindowGrid.Ceiling(horizon, g);
            range = start < range.End ? range with { Start = start } : null;
        }
        _log.LogDebug("collect: {Source} planned {Range} ({Granularity} windows)", source.Name,
            range is null ? "nothing due" : $"{range.Start:u} → {range.End:u}", g.Label());
        if (range is null) return new SourceOutcome(source.Name, SourceStatus.Ok, "nothing due yet");

        progress($"{source.Name}: collecting {range.Start:u} → {range.End:u}");
        var batch = await source.CollectAsync(range, ct);
        foreach (var w in batch.Warnings) warn($"{source.Name}: {w}");
        var byWindow = batch.Rows.GroupBy(r => r.WindowStart.ToUniversalTime()).ToDictionary(x => x.Key, x => (IReadOnlyList<TokenUsageRow>)x.ToList());
        foreach (var start in byWindow.Keys)
            if (start < range.Start || start >= range.End || !WindowGrid.IsAligned(start, g))
                throw new SourceException($"returned rows for {start:u}, outside {range.Start:u} → {range.End:u} or off the {g.Label()} grid (a source bug)");
        foreach (var row in batch.Rows)
            if (CollectedRows.Problem(row) is { } problem)
                throw new SourceException($"the provider's answer holds a row the tool will not store ({row.ModelId}, {row.WindowStart:u}): {problem}; nothing of this range was written");

        var writer = new UsageWriter(_schema, mode);
        var side = new SideTablesStore(_schema);
        long written = 0;
        var windows = 0;
        var all = WindowPlanner.Windows(range, g).ToList();
        foreach (var window in all)
        {
            var rows = byWindow.GetValueOrDefault(window.Start) ?? [];
            await using var tx = await connection.BeginTransactionAsync(ct);
            written += await writer.UpsertAsync(tx, rows, ct);
            if (source.Capabilities.AuthoritativeWindows) await side.DeleteUntouchedUsageAsync(tx, source.Name, window.Start, window.End, ct);
            if (batch.BilledRange is { } billed) await ReplaceBilledDaysAsync(tx, source, batch, BilledShare(billed, window, all), side, ct);
            // An explicit --from/--to range may lie beyond the watermark: advancing past the gap would lose it.
            if (explicitRange is null) await watermarks.AdvanceAsync(tx, source.Name, null, window.End, g, ct);
            await tx.CommitAsync(CancellationToken.None);
            windows++;
        }
        await WriteSideTablesAsync(connection, source, batch with { BilledRange = null }, side, ct);
        return new SourceOutcome(source.Name, SourceStatus.Ok, $"{windows} window(s), {written} row(s)", range, windows, written);
    }

    /// <summary>The part of the billed range a window's transaction replaces: the billed days that start in it, the
    /// first window also taking days that start before the range and the last those after, so every day commits
    /// with some window and a crash between windows loses none (they are re-collected with the windows after the
    /// watermark).</summary>
    private static CollectionRange BilledShare(CollectionRange billed, CollectionRange window, List<CollectionRange> all) =>
        new(window == all[0] ? Min(billed.Start, window.Start) : window.Start, window == all[^1] ? Max(billed.End, window.End) : window.End);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static Task ReplaceBilledDaysAsync(NpgsqlTransaction tx, ICollectionSource source, SourceBatch batch, CollectionRange share, SideTablesStore side, CancellationToken ct) =>
        side.ReplaceBilledCostsAsync(tx, source.Name, share.Start, share.End,
            batch.BilledCosts.Where(b => b.BucketStart >= share.Start && b.BucketStart < share.End).ToList(), ct);

    private async Task<SourceOutcome> CollectSnapshotAsync(ICollectionSource source, ConflictMode mode, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = await source.CollectAsync(new CollectionRange(DateTimeOffset.UnixEpoch, now), ct);
        foreach (var w in batch.Warnings) warn($"{source.Name}: {w}");
        if (batch.Ingest is { } request) return await IngestAsync(source, request, ct);
        // A plan's days before the retention horizon were dropped and are in the rollups: they are not written again.
        var rows = _horizon is { } horizon ? batch.Rows.Where(r => r.WindowStart >= horizon).ToList() : batch.Rows;
        await using var connection = await database.OpenConnectionAsync(ct);
        var side = new SideTablesStore(_schema);
        long written;
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            written = await new UsageWriter(_schema, mode).UpsertAsync(tx, rows, ct);
            // Over the span each plan covers now, it is the whole truth: rows it no longer produces go; a plan no longer
            // configured loses its rows over the span of them all. Older rows (periods of a plan without a start date)
            // are kept — judged per plan, so another plan's earlier start does not sweep them away.
            if (source.Capabilities.AuthoritativeWindows && rows.Count > 0)
                await side.DeleteUntouchedUsageAsync(tx, source.Name, rows.Min(r => r.WindowStart), rows.Max(r => r.WindowEnd),
                    rows.GroupBy(r => r.ModelId).Select(m => (m.Key, m.Min(r => r.WindowStart), m.Max(r => r.WindowEnd))).ToList(), ct);
            await tx.CommitAsync(CancellationToken.None);
        }
        await WriteSideTablesAsync(connection, source, batch, side, ct);
        return new SourceOutcome(source.Name, SourceStatus.Ok, $"{written} row(s)", null, 1, written);
    }

    private static async Task WriteSideTablesAsync(NpgsqlConnection connection, ICollectionSource source, SourceBatch batch, SideTablesStore side, CancellationToken ct)
    {
        if (batch.BilledRange is null && batch.Meters.Count == 0) return;
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (batch.BilledRange is { } billed) await side.ReplaceBilledCostsAsync(tx, source.Name, billed.Start, billed.End, batch.BilledCosts, ct);
        if (batch.Meters.Count > 0) await side.UpsertMetersAsync(tx, batch.Meters, ct);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>A file source: the ingest `import` runs. Its rejected lines are warnings, or fail the source when it
    /// asks for that (manual: a hand-written file to fix, and nothing is deleted then).</summary>
    private async Task<SourceOutcome> IngestAsync(ICollectionSource source, IngestRequest request, CancellationToken ct)
    {
        IngestResult result;
        try
        {
            result = await new FileIngest(database, pricer ?? throw new InvalidOperationException("the engine needs a pricer for file sources"), clock, progress)
                .RunAsync(request, ct);
        }
        catch (TelemetryException e)
        {
            // The folder cannot be read, or writing would drop calls counted before the ledger: this source fails alone.
            warn($"{source.Name} failed: {e.Message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, e.Hint is null ? e.Message : $"{e.Message} ({e.Hint})");
        }
        foreach (var r in result.Rejections.Take(20)) warn($"{source.Name}: rejected {r}");
        if (result.RejectedCount > 20) warn($"{source.Name}: … and {result.RejectedCount - 20} more rejected record(s)");
        var summary = result.Summary();
        if (request.FailOnRejection && result.RejectedCount > 0)
        {
            var message = $"{result.RejectedCount} record(s) rejected, first {result.Rejections[0]}; the good rows were written and no stored row was deleted — fix the file";
            warn($"{source.Name} failed: {message}");
            return new SourceOutcome(source.Name, SourceStatus.Failed, message, null, 1, result.RowsWritten);
        }
        return new SourceOutcome(source.Name, SourceStatus.Ok, summary, null, 1, result.RowsWritten);
    }
}
