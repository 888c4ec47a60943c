using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>migrate on a fresh database of each supported PostgreSQL path.</summary>
public abstract class MigrationTests(DatabaseFixture db)
{
    private async Task<NpgsqlConnection> FreshDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await db.Cluster.CreateDatabaseAsync());
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task Applies_every_table_constraint_and_index_of_the_design_into_the_configured_schema()
    {
        await using var connection = await FreshDatabaseAsync();
        var schema = new SchemaName("acme_ai");
        var applied = await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None);

        applied.Select(m => m.FileName).ShouldBe(["V0001__init.sql", "V0002__call_ledger.sql", "V0003__partitions_and_rollups.sql", "V0004__cost_provenance.sql", "V0005__reconcile_rollup.sql"]);
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'acme_ai' AND table_name !~ '^token_usage_p[0-9]{6}$' ORDER BY 1")).ToList();
        tables.ShouldBe([
            "billed_cost", "call_ledger", "collector_lock", "price_entry", "price_snapshot", "retention_horizon", "rollup_watermark", "schema_migrations", "token_usage",
            "usage_daily", "usage_daily_by_model", "usage_daily_pricing", "usage_dims", "usage_hourly_by_model", "usage_meter", "usage_monthly", "watchdog_status",
        ]);
        // token_usage is partitioned by month; migrate makes this month's partition and the next two.
        var partitions = (await connection.QueryAsync<string>("SELECT relid::regclass::text FROM pg_partition_tree('acme_ai.token_usage') WHERE isleaf ORDER BY 1")).ToList();
        var month = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero);
        partitions.ShouldBe(Enumerable.Range(0, 3).Select(i => $"acme_ai.token_usage_p{month.AddMonths(i):yyyyMM}"));
        var columns = (await connection.QueryAsync<string>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'acme_ai' AND table_name = 'token_usage' ORDER BY ordinal_position")).ToList();
        columns.ShouldBe([
            "id", "source_system", "provider", "model", "model_id", "project_id", "user_id", "window_start", "window_end",
            "granularity", "measurement_basis", "input_tokens", "cached_read_tokens", "cached_write_tokens", "cached_write_1h_tokens",
            "output_tokens", "reasoning_tokens", "request_count", "cost_usd", "cost_basis", "cache_savings_usd", "raw_usage", "created_at", "updated_at",
            "price_snapshot", "price_key", "price_rules", "list_cost_usd",
        ]);
        var checks = (await connection.QueryAsync<string>(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'acme_ai.token_usage'::regclass AND contype = 'c' ORDER BY 1")).ToList();
        checks.ShouldBe([
            "token_usage_1h_within_cache_writes", "token_usage_cache_within_input", "token_usage_cost_basis_iff_cost",
            "token_usage_cost_non_negative", "token_usage_counts_non_negative", "token_usage_list_cost_non_negative",
            "token_usage_provenance_of_computed", "token_usage_reasoning_within_output", "token_usage_source_not_empty", "token_usage_window_order",
        ]);
        var indexes = (await connection.QueryAsync<string>(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'acme_ai' AND tablename = 'token_usage' ORDER BY 1")).ToList();
        indexes.ShouldBe(ExpectedTokenUsageIndexes);
        (await connection.ExecuteScalarAsync<string>(
            "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'acme_ai' AND t.typname = 'granularity'"))
            .ShouldBe("15min,hour,day,month");
        (await connection.QueryAsync<string>("SELECT tgname FROM pg_trigger WHERE tgrelid = 'acme_ai.token_usage'::regclass AND NOT tgisinternal ORDER BY 1"))
            .ShouldBe(["token_usage_pricing_delete", "token_usage_pricing_insert", "token_usage_pricing_update", "token_usage_rollups_delete", "token_usage_rollups_insert", "token_usage_rollups_truncate", "token_usage_rollups_update", "token_usage_set_updated_at"]);
        (await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('public.token_usage') IS NULL")).ShouldBeTrue();
    }

    protected abstract IReadOnlyList<string> ExpectedTokenUsageIndexes { get; }

    [Fact]
    public async Task Running_twice_is_a_no_op()
    {
        await using var connection = await FreshDatabaseAsync();
        var migrator = new Migrator(db.Schema);
        (await migrator.MigrateAsync(connection, null, CancellationToken.None)).Count.ShouldBe(5);
        var appliedAt = await connection.ExecuteScalarAsync<DateTime>("SELECT max(applied_at) FROM telemetry.schema_migrations");

        (await migrator.MigrateAsync(connection, null, CancellationToken.None)).ShouldBeEmpty();

        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.schema_migrations")).ShouldBe(5);
        (await connection.ExecuteScalarAsync<DateTime>("SELECT max(applied_at) FROM telemetry.schema_migrations")).ShouldBe(appliedAt);
        var status = await migrator.StatusAsync(connection, CancellationToken.None);
        status.Pending.ShouldBeEmpty();
        status.Applied.Select(a => a.Checksum).ShouldBe(Migration.LoadEmbedded().Select(m => m.Checksum));
    }

    [Fact]
    public async Task An_applied_file_that_changed_is_refused_by_name_and_nothing_runs()
    {
        await using var connection = await FreshDatabaseAsync();
        await new Migrator(db.Schema).MigrateAsync(connection, null, CancellationToken.None);
        var original = Migration.LoadEmbedded();
        var edited = original[0] with { Sql = original[0].Sql + "\nCREATE TABLE sneaky (x int);\n" };
        var second = new Migration(2, "more", "V0002__more.sql", "CREATE TABLE more_stuff (x int);");

        var error = await Should.ThrowAsync<TelemetryException>(() =>
            new Migrator(db.Schema, [edited, second], "test").MigrateAsync(connection, null, CancellationToken.None));

        error.Message.ShouldStartWith("V0001__init.sql was changed after it was applied");
        (await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('telemetry.more_stuff') IS NULL")).ShouldBeTrue();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.schema_migrations")).ShouldBe(5);
    }

    [Fact]
    public async Task A_failing_file_rolls_back_whole_and_is_not_recorded()
    {
        await using var connection = await FreshDatabaseAsync();
        var good = Migration.LoadEmbedded()[0];
        var broken = new Migration(2, "broken", "V0002__broken.sql", "CREATE TABLE half_done (x int);\nSELECT no_such_function();");

        var error = await Should.ThrowAsync<TelemetryException>(() =>
            new Migrator(db.Schema, [good, broken], "test").MigrateAsync(connection, null, CancellationToken.None));

        error.Message.ShouldStartWith("V0002__broken.sql failed and was rolled back");
        (await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('telemetry.half_done') IS NULL")).ShouldBeTrue();
        (await connection.QueryAsync<int>("SELECT version FROM telemetry.schema_migrations")).ShouldBe([1]);
    }

    [Fact]
    public async Task Dry_run_prints_the_pending_sql_and_changes_nothing()
    {
        await using var connection = await FreshDatabaseAsync();
        var script = await new Migrator(db.Schema).DryRunAsync(connection, CancellationToken.None);

        script.ShouldContain("CREATE SCHEMA \"telemetry\";");
        script.ShouldContain("-- V0001__init.sql (sha256 " + Migration.LoadEmbedded()[0].Checksum + ")");
        script.ShouldContain("SET LOCAL search_path TO \"telemetry\";");
        script.ShouldContain("CREATE TABLE token_usage (");
        (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'telemetry')")).ShouldBeFalse();
    }

    [Fact]
    public async Task Two_concurrent_runs_apply_each_file_once()
    {
        var connectionString = await db.Cluster.CreateDatabaseAsync();
        async Task<int> RunAsync()
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return (await new Migrator(db.Schema).MigrateAsync(connection, null, CancellationToken.None)).Count;
        }
        var results = await Task.WhenAll(RunAsync(), RunAsync(), RunAsync());
        results.Sum().ShouldBe(Migration.LoadEmbedded().Count);
    }
}

public sealed class MigrationTestsOnCurrentPostgres(CurrentPostgresDatabase db) : MigrationTests(db), IClassFixture<CurrentPostgresDatabase>
{
    protected override IReadOnlyList<string> ExpectedTokenUsageIndexes =>
    [
        "token_usage_conflict_key", "token_usage_pkey", "token_usage_provider_model_window_idx",
        "token_usage_source_window_idx", "token_usage_user_window_idx", "token_usage_window_start_idx",
    ];
}

public sealed class MigrationTestsOnPostgres14(Postgres14Database db) : MigrationTests(db), IClassFixture<Postgres14Database>
{
    protected override IReadOnlyList<string> ExpectedTokenUsageIndexes =>
    [
        "token_usage_key_org", "token_usage_key_project", "token_usage_key_user", "token_usage_key_user_project",
        "token_usage_pkey", "token_usage_provider_model_window_idx", "token_usage_source_window_idx",
        "token_usage_user_window_idx", "token_usage_window_start_idx",
    ];
}
