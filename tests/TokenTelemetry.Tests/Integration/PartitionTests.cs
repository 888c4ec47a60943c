using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// token_usage's month partitions on both server paths: made ahead, made by the writer for a month that has none
/// (inside its transaction, gone with a rollback), and never waiting for a dashboard query that holds the table.
/// </summary>
public abstract class PartitionTests(DatabaseFixture db)
{
    private static TokenUsageRow At(int year, int month) =>
        Rows.Usage("partitions") with { WindowStart = new(year, month, 3, 5, 0, 0, TimeSpan.Zero), WindowEnd = new(year, month, 3, 6, 0, 0, TimeSpan.Zero) };

    private static async Task<List<string>> PartitionsAsync(NpgsqlConnection c) =>
        (await c.QueryAsync<string>("SELECT relid::regclass::text FROM pg_partition_tree('telemetry.token_usage') WHERE isleaf ORDER BY 1")).ToList();

    [Fact]
    public async Task The_writer_makes_the_partition_of_a_new_month_in_its_transaction()
    {
        await using var c = await db.OpenAsync();
        await using (var tx = await c.BeginTransactionAsync())
        {
            await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, [At(2019, 3), At(2019, 4)], CancellationToken.None);
            await tx.RollbackAsync();
        }
        (await PartitionsAsync(c)).ShouldNotContain("telemetry.token_usage_p201903");

        await using (var tx = await c.BeginTransactionAsync())
        {
            await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, [At(2019, 3), At(2019, 4)], CancellationToken.None);
            await tx.CommitAsync();
        }
        (await PartitionsAsync(c)).ShouldContain("telemetry.token_usage_p201903");
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage_p201904")).ShouldBe(1);
        // A partition is a table of token_usage's shape: its constraints, its indexes, the updated_at trigger, fillfactor 80.
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conrelid = 'telemetry.token_usage_p201903'::regclass AND contype = 'c'")).ShouldBe(10);
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'telemetry' AND tablename = 'token_usage_p201903'"))
            .ShouldBe(await c.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'telemetry' AND tablename = 'token_usage'"));
        (await c.ExecuteScalarAsync<string>("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'telemetry.token_usage_p201903'::regclass")).ShouldBe("fillfactor=80");
        await c.ExecuteAsync("UPDATE telemetry.token_usage SET updated_at = '2020-01-01' WHERE window_start = '2019-03-03T05:00:00Z'");
        await c.ExecuteAsync("UPDATE telemetry.token_usage SET output_tokens = 1 WHERE window_start = '2019-03-03T05:00:00Z'");
        (await c.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM telemetry.token_usage WHERE window_start = '2019-03-03T05:00:00Z'")).Year.ShouldBeGreaterThan(2020);
    }

    [Fact]
    public async Task Partitions_are_made_ahead_once()
    {
        await using var c = await db.OpenAsync();
        var store = new PartitionStore(db.Schema);
        (await store.EnsureAheadAsync(c, new DateTimeOffset(2031, 2, 10, 23, 59, 0, TimeSpan.FromHours(-5)), CancellationToken.None)).ShouldBe(3); // 2031-02-11 04:59 UTC
        (await store.EnsureAheadAsync(c, new DateTimeOffset(2031, 2, 28, 0, 0, 0, TimeSpan.Zero), CancellationToken.None)).ShouldBe(0);
        (await PartitionsAsync(c)).Where(p => p.StartsWith("telemetry.token_usage_p2031", StringComparison.Ordinal))
            .ShouldBe(["telemetry.token_usage_p203102", "telemetry.token_usage_p203103", "telemetry.token_usage_p203104"]);
        (await c.ExecuteScalarAsync<string>("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'telemetry.token_usage_p203103'::regclass"))
            .ShouldBe("FOR VALUES FROM ('2031-03-01 00:00:00+00') TO ('2031-04-01 00:00:00+00')");
    }

    [Fact]
    public async Task A_long_dashboard_query_holds_up_neither_a_write_that_needs_a_new_partition_nor_the_partitions_made_ahead()
    {
        await using var dashboard = await db.OpenAsync();
        await using var query = await dashboard.BeginTransactionAsync();
        (await dashboard.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage", transaction: query)).ShouldBeGreaterThanOrEqualTo(0); // ACCESS SHARE until it ends

        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("SET lock_timeout = '5s'"); // a write that waited for the dashboard would fail here, not hang
        await using (var tx = await c.BeginTransactionAsync())
        {
            await new UsageWriter(db.Schema, db.Mode).UpsertAsync(tx, [At(2017, 5)], CancellationToken.None);
            await tx.CommitAsync();
        }
        (await new PartitionStore(db.Schema).EnsureAheadAsync(c, new DateTimeOffset(2033, 1, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None)).ShouldBe(3);
        await query.CommitAsync();
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE window_start < '2018-01-01'")).ShouldBe(1);
    }
}

public sealed class PartitionTestsOnCurrentPostgres(CurrentPostgresDatabase db) : PartitionTests(db), IClassFixture<CurrentPostgresDatabase>;

public sealed class PartitionTestsOnPostgres14(Postgres14Database db) : PartitionTests(db), IClassFixture<Postgres14Database>;
