using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>Watermarks (invariants 10, 12) and watchdog_status rows, on both conflict-key paths.</summary>
public abstract class WatermarkAndStatusTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static string NewSource() => $"wm_{Guid.NewGuid():N}"[..16];

    private async Task InTransaction(Func<NpgsqlTransaction, Task> work, bool commit = true)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await work(tx);
        if (commit) await tx.CommitAsync(); else await tx.RollbackAsync();
    }

    private async Task<Watermark?> ReadAsync(string source, string? user, Granularity g = Granularity.Hour)
    {
        Watermark? mark = null;
        await InTransaction(async tx => mark = await new WatermarkStore(db.Schema, db.Mode).ReadAsync(tx, source, user, g, CancellationToken.None));
        return mark;
    }

    [Fact]
    public async Task Advances_forward_and_never_back_per_source_and_user()
    {
        var source = NewSource();
        var store = new WatermarkStore(db.Schema, db.Mode);
        (await ReadAsync(source, null)).ShouldBeNull();

        await InTransaction(tx => store.AdvanceAsync(tx, source, null, T0, Granularity.Hour, CancellationToken.None));
        await InTransaction(tx => store.AdvanceAsync(tx, source, "alice", T0.AddHours(5), Granularity.Hour, CancellationToken.None));
        await InTransaction(tx => store.AdvanceAsync(tx, source, null, T0.AddHours(2), Granularity.Hour, CancellationToken.None));
        await InTransaction(tx => store.AdvanceAsync(tx, source, null, T0.AddHours(1), Granularity.Hour, CancellationToken.None));

        (await ReadAsync(source, null))!.Value.ShouldBe(T0.AddHours(2));
        (await ReadAsync(source, "alice"))!.Value.ShouldBe(T0.AddHours(5));
        await using var connection = await db.OpenAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.rollup_watermark WHERE source_system = @source", new { source })).ShouldBe(2);
    }

    [Fact]
    public async Task An_off_grid_mark_snaps_forward_on_read()
    {
        var source = NewSource();
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync("INSERT INTO telemetry.rollup_watermark (source_system, user_id, last_processed_end) VALUES (@source, NULL, @at)",
                new { source, at = new DateTime(2026, 11, 20, 14, 42, 26, DateTimeKind.Utc) });

        var hourly = (await ReadAsync(source, null, Granularity.Hour))!;
        hourly.Value.ShouldBe(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
        hourly.WasSnapped.ShouldBeTrue();
        (await ReadAsync(source, null, Granularity.FifteenMinutes))!.Value.ShouldBe(new DateTimeOffset(2026, 11, 20, 14, 45, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task An_off_grid_advance_is_refused()
    {
        var store = new WatermarkStore(db.Schema, db.Mode);
        await Should.ThrowAsync<ArgumentException>(() =>
            InTransaction(tx => store.AdvanceAsync(tx, NewSource(), null, T0.AddMinutes(15), Granularity.Hour, CancellationToken.None)));
    }

    [Fact]
    public async Task Rows_and_watermark_of_a_rolled_back_window_both_vanish()
    {
        var source = NewSource();
        await InTransaction(async tx =>
        {
            await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, [Rows.Usage(source)], CancellationToken.None);
            await new WatermarkStore(db.Schema, db.Mode).AdvanceAsync(tx, source, null, Rows.Day.AddHours(1), Granularity.Hour, CancellationToken.None);
        }, commit: false);

        (await ReadAsync(source, null)).ShouldBeNull();
        await using var connection = await db.OpenAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE source_system = @source", new { source })).ShouldBe(0);
    }

    [Fact]
    public async Task Watchdog_rows_are_replaced_per_source()
    {
        var source = NewSource();
        var store = new WatchdogStatusStore(db.Schema);
        var ingest = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        await InTransaction(tx => store.UpsertAsync(tx, new WatchdogStatusRow
        {
            SourceSystem = source, Status = "never_seen", ThresholdSeconds = 7200, CheckedBy = "collector", Message = "no data yet",
        }, CancellationToken.None));
        await InTransaction(tx => store.UpsertAsync(tx, new WatchdogStatusRow
        {
            SourceSystem = source, Status = "ok", ThresholdSeconds = 3600, StaleSeconds = 120, LastIngestAt = ingest,
            LastPollAt = ingest.AddMinutes(1), LastCheckAt = ingest.AddMinutes(2), CheckedBy = "watchdog", Message = null,
        }, CancellationToken.None));

        await using var connection = await db.OpenAsync();
        var row = (await store.ReadAllAsync(connection, CancellationToken.None)).Where(r => r.SourceSystem == source).ShouldHaveSingleItem();
        row.ShouldBe(new WatchdogStatusRow
        {
            SourceSystem = source, Status = "ok", ThresholdSeconds = 3600, StaleSeconds = 120, LastIngestAt = ingest,
            LastPollAt = ingest.AddMinutes(1), LastCheckAt = ingest.AddMinutes(2), CheckedBy = "watchdog", Message = null,
        });
    }

    [Fact]
    public async Task An_unknown_watchdog_status_is_rejected()
    {
        var store = new WatchdogStatusStore(db.Schema);
        var error = await Should.ThrowAsync<PostgresException>(() => InTransaction(tx => store.UpsertAsync(tx, new WatchdogStatusRow
        {
            SourceSystem = NewSource(), Status = "green", ThresholdSeconds = 60, CheckedBy = "collector",
        }, CancellationToken.None)));
        error.ConstraintName.ShouldBe("watchdog_status_status");
    }
}

public sealed class WatermarkAndStatusTestsOnCurrentPostgres(CurrentPostgresDatabase db)
    : WatermarkAndStatusTests(db), IClassFixture<CurrentPostgresDatabase>;

public sealed class WatermarkAndStatusTestsOnPostgres14(Postgres14Database db)
    : WatermarkAndStatusTests(db), IClassFixture<Postgres14Database>;
