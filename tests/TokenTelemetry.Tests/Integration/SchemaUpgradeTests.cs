using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// A populated V0001 or V0002 schema upgraded in place by V0002…V0005, on both conflict-key paths: every row keeps its values, id,
/// created_at and updated_at; call_ledger still finds its rows; ids go on past the old sequence; the updated_at trigger,
/// the conflict key and the grants of a reader role survive; the rollups start equal to the facts.
/// </summary>
public abstract class SchemaUpgradeTests(DatabaseFixture db)
{
    private static readonly SchemaName Schema = new("telemetry");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_populated_v0001_or_v0002_schema_upgrades_in_place_and_loses_nothing(int from)
    {
        await using var c = new NpgsqlConnection(await db.Cluster.CreateDatabaseAsync());
        await c.OpenAsync();
        await new Migrator(Schema, Migration.LoadEmbedded().Take(from).ToList(), $"v{from}").MigrateAsync(c, null, CancellationToken.None);
        var reader = $"reader_{Guid.NewGuid():N}"[..20];
        await ReaderRole.EnsureAsync(c, Schema, reader, "secret-1", CancellationToken.None);
        await c.ExecuteAsync("""
            INSERT INTO telemetry.token_usage (source_system, provider, model, model_id, project_id, user_id, window_start, window_end, granularity,
                measurement_basis, input_tokens, cached_read_tokens, cached_write_tokens, cached_write_1h_tokens, output_tokens, reasoning_tokens,
                request_count, cost_usd, cost_basis, cache_savings_usd, raw_usage, created_at, updated_at)
            SELECT 'src' || (i % 3), 'openai', 'gpt-4o', 'gpt-4o', CASE WHEN i % 4 = 0 THEN NULL ELSE 'p' || (i % 2) END, CASE WHEN i % 3 = 0 THEN NULL ELSE 'u' || i END,
                   timestamptz '2025-10-30T00:00:00Z' + i * interval '7 hours', timestamptz '2025-10-30T01:00:00Z' + i * interval '7 hours', 'hour', 'exact',
                   CASE WHEN i % 5 = 0 THEN NULL ELSE 1000 + i END, CASE WHEN i % 2 = 0 THEN 10 END, CASE WHEN i % 7 = 0 THEN 20 END, CASE WHEN i % 14 = 0 THEN 5 END,
                   100 + i, CASE WHEN i % 3 = 1 THEN 50 END, i, CASE WHEN i % 6 = 0 THEN NULL ELSE 0.001 * i END,
                   CASE WHEN i % 6 = 0 THEN NULL ELSE 'computed'::telemetry.cost_basis END, NULL, jsonb_build_object('adapter', 'v2', 'i', i),
                   timestamptz '2025-11-01T08:00:00Z' + i * interval '1 minute', timestamptz '2025-11-02T09:00:00Z' + i * interval '1 minute'
            FROM generate_series(1, 300) AS i;
            DELETE FROM telemetry.token_usage WHERE id % 10 = 0;
            """);
        if (from == 2)
            await c.ExecuteAsync("""
                INSERT INTO telemetry.call_ledger (usage_id, window_start, window_end, kind, call_ids)
                SELECT id, window_start, window_end, 'calls', decode(lpad(to_hex(id), 32, '0'), 'hex') FROM telemetry.token_usage WHERE id % 4 = 1;
                """);
        const string everything = "SELECT row_to_json(t)::text FROM telemetry.token_usage t ORDER BY id";
        var before = (await c.QueryAsync<string>(everything)).ToList();
        var lastId = await c.ExecuteScalarAsync<long>("SELECT last_value FROM telemetry.token_usage_id_seq");
        before.Count.ShouldBe(270);

        // The tool upgraded, migrate not run yet: readers say so in one line rather than fail on a missing function.
        (await Should.ThrowAsync<TelemetryException>(() => new Verification.SpendReport(Schema).RunAsync(c, "source", DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow, CancellationToken.None)))
            .ToErrorLine().ShouldBe($"error: schema telemetry is at V000{from}, this version of token-telemetry needs V0003 (run `token-telemetry migrate` (it upgrades in place and keeps every row))");

        (await new Migrator(Schema).MigrateAsync(c, null, CancellationToken.None)).Select(m => m.Version).ShouldBe(from == 1 ? [2, 3, 4, 5] : [3, 4, 5]);

        // Values, ids, created_at and updated_at, column order — and V0004's provenance columns appended, empty.
        (await c.QueryAsync<string>(everything)).ShouldBe(before.Select(row => row[..^1] + ""","price_snapshot":null,"price_key":null,"price_rules":null,"list_cost_usd":null}"""));
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.call_ledger l JOIN telemetry.token_usage t ON t.id = l.usage_id AND t.window_start = l.window_start")).ShouldBe(from == 2 ? 75 : 0);
        var partitions = (await c.QueryAsync<string>("SELECT relid::regclass::text FROM pg_partition_tree('telemetry.token_usage') WHERE isleaf")).ToList();
        foreach (var month in (string[])["202510", "202511", "202512", "202601"]) partitions.ShouldContain($"telemetry.token_usage_p{month}");
        (await c.ExecuteScalarAsync<string>("SELECT pg_get_serial_sequence('telemetry.token_usage', 'id')")).ShouldBe("telemetry.token_usage_id_seq");
        await RollupState.ShouldMatchFactsAsync(c, Schema);
        (await c.ExecuteScalarAsync<long>("SELECT sum(rows) FROM telemetry.usage_monthly")).ShouldBe(270);

        // Writing goes on: the same conflict key, new ids past the old sequence, updated_at kept by the trigger.
        (await SchemaInspector.ConflictModeAsync(c, Schema, CancellationToken.None)).ShouldBe(db.Mode);
        await using (var tx = await c.BeginTransactionAsync())
        {
            await new UsageWriter(Schema, db.Mode).UpsertAsync(tx, [Rows.Usage("src1", user: "u1", project: "p1") with { WindowStart = new(2025, 10, 30, 7, 0, 0, TimeSpan.Zero), WindowEnd = new(2025, 10, 30, 8, 0, 0, TimeSpan.Zero) },
                Rows.Usage("fresh")], CancellationToken.None);
            await tx.CommitAsync();
        }
        (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(271); // the first row replaced its stored row
        (await c.ExecuteScalarAsync<long>("SELECT id FROM telemetry.token_usage WHERE source_system = 'fresh'")).ShouldBeGreaterThan(lastId);
        await c.ExecuteAsync("UPDATE telemetry.token_usage SET output_tokens = output_tokens + 1 WHERE id = 11");
        (await c.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM telemetry.token_usage WHERE id = 11")).ShouldBeGreaterThan(new DateTime(2026, 1, 1));
        await RollupState.ShouldMatchFactsAsync(c, Schema);

        // The reader role made before the upgrade reads the new tables and writes none.
        await using var asReader = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(c.ConnectionString) { Username = reader, Password = "secret-1", Pooling = false }.ConnectionString);
        await asReader.OpenAsync();
        (await asReader.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(271);
        (await asReader.ExecuteScalarAsync<long>("SELECT sum(rows) FROM telemetry.usage_daily")).ShouldBe(271);
        (await Should.ThrowAsync<PostgresException>(() => asReader.ExecuteAsync("DELETE FROM telemetry.usage_daily"))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await Should.ThrowAsync<PostgresException>(() => asReader.ExecuteAsync("INSERT INTO telemetry.token_usage (source_system) VALUES ('x')"))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }
}

public sealed class SchemaUpgradeTestsOnCurrentPostgres(CurrentPostgresDatabase db) : SchemaUpgradeTests(db), IClassFixture<CurrentPostgresDatabase>;

public sealed class SchemaUpgradeTestsOnPostgres14(Postgres14Database db) : SchemaUpgradeTests(db), IClassFixture<Postgres14Database>;
