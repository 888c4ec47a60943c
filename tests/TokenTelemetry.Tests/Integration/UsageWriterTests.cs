using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The replacement upsert on both conflict-key paths (invariants 1, 2, 6 and the CHECK constraints).</summary>
public abstract class UsageWriterTests(DatabaseFixture db)
{
    private UsageWriter Writer(int batchSize = UsageWriter.BatchSize) => new(db.Schema, db.Mode, batchSize);

    private async Task WriteAsync(IReadOnlyList<TokenUsageRow> rows, int batchSize = UsageWriter.BatchSize)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Writer(batchSize).UpsertAsync(tx, rows, CancellationToken.None);
        await tx.CommitAsync();
    }

    private async Task<(long Rows, long Input, long Output, decimal Cost)> TotalsAsync(string source)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleAsync<(long, long, long, decimal)>(
            "SELECT count(*), coalesce(sum(input_tokens),0)::bigint, coalesce(sum(output_tokens),0)::bigint, coalesce(sum(cost_usd),0) FROM telemetry.token_usage WHERE source_system = @source",
            new { source });
    }

    private static string NewSource() => $"src_{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task Writing_the_same_window_twice_leaves_identical_rows_and_totals()
    {
        var source = NewSource();
        var rows = Enumerable.Range(0, 24).Select(h => Rows.Usage(source, hour: h, input: 1000 + h, output: 10 * h)).ToList();
        await WriteAsync(rows);
        var first = await TotalsAsync(source);
        await WriteAsync(rows);
        var second = await TotalsAsync(source);

        first.ShouldBe((24L, 24 * 1000L + 276, 2760L, 24 * 0.0125m));
        second.ShouldBe(first);
    }

    [Fact]
    public async Task Rows_with_null_user_and_project_do_not_duplicate_in_any_combination()
    {
        var source = NewSource();
        TokenUsageRow[] rows =
        [
            Rows.Usage(source, user: null, project: null),
            Rows.Usage(source, user: "alice", project: null),
            Rows.Usage(source, user: null, project: "web"),
            Rows.Usage(source, user: "alice", project: "web"),
        ];
        await WriteAsync(rows);
        await WriteAsync(rows);
        await WriteAsync(rows);

        (await TotalsAsync(source)).ShouldBe((4L, 4000L, 1200L, 0.05m));
    }

    [Fact]
    public async Task An_update_replaces_every_metric_and_keeps_the_row_identity()
    {
        var source = NewSource();
        await WriteAsync([Rows.Usage(source, user: "bob", input: 1000, cachedRead: 200, output: 300, cost: 0.5m)]);
        await using var connection = await db.OpenAsync();
        var before = await connection.QuerySingleAsync<(long Id, DateTime Created, DateTime Updated)>(
            "SELECT id, created_at, updated_at FROM telemetry.token_usage WHERE source_system = @source", new { source });

        await WriteAsync([Rows.Usage(source, user: "bob", input: 50, cachedRead: null, output: 40, reasoning: 10, cost: null)]);

        var row = (await new UsageReader(db.Schema).ReadAsync(connection, source, CancellationToken.None)).ShouldHaveSingleItem();
        row.InputTokens.ShouldBe(50);
        row.CachedReadTokens.ShouldBeNull();
        row.OutputTokens.ShouldBe(40);
        row.ReasoningTokens.ShouldBe(10);
        row.CostUsd.ShouldBeNull();
        row.CostBasis.ShouldBeNull();
        var after = await connection.QuerySingleAsync<(long Id, DateTime Created, DateTime Updated)>(
            "SELECT id, created_at, updated_at FROM telemetry.token_usage WHERE source_system = @source", new { source });
        after.Id.ShouldBe(before.Id);
        after.Created.ShouldBe(before.Created);
        after.Updated.ShouldBeGreaterThan(before.Updated);
    }

    [Fact]
    public async Task Any_other_update_still_refreshes_updated_at_through_the_trigger()
    {
        var source = NewSource();
        await WriteAsync([Rows.Usage(source)]);
        await using var connection = await db.OpenAsync();
        var before = await connection.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM telemetry.token_usage WHERE source_system = @source", new { source });
        await connection.ExecuteAsync("UPDATE telemetry.token_usage SET request_count = 99 WHERE source_system = @source", new { source });
        (await connection.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM telemetry.token_usage WHERE source_system = @source", new { source }))
            .ShouldBeGreaterThan(before);
    }

    [Fact]
    public async Task Null_stays_null_and_zero_stays_zero_through_a_round_trip()
    {
        var source = NewSource();
        var written = new TokenUsageRow
        {
            SourceSystem = source,
            Provider = "anthropic",
            Model = "claude-sonnet-4-5-20250929",
            ModelId = "claude-sonnet-4-5",
            WindowStart = Rows.Day,
            WindowEnd = Rows.Day.AddDays(1),
            Granularity = Granularity.Day,
            MeasurementBasis = MeasurementBasis.Exact,
            InputTokens = 0,
            CachedReadTokens = 0,
            CachedWriteTokens = null,
            CachedWrite1hTokens = null,
            OutputTokens = null,
            ReasoningTokens = null,
            RequestCount = null,
            CostUsd = 0.000000001m,
            CostBasis = CostBasis.ProviderReported,
            RawUsage = null,
        };
        await WriteAsync([written]);
        await using var connection = await db.OpenAsync();
        var read = (await new UsageReader(db.Schema).ReadAsync(connection, source, CancellationToken.None)).ShouldHaveSingleItem();
        read.ShouldBe(written);
    }

    [Fact]
    public async Task Several_batches_in_one_call_write_every_row()
    {
        var source = NewSource();
        var rows = Enumerable.Range(0, 10).Select(h => Rows.Usage(source, hour: h, user: h % 2 == 0 ? null : "u", project: h % 3 == 0 ? null : "p")).ToList();
        await WriteAsync(rows, batchSize: 3);
        await WriteAsync(rows, batchSize: 4);
        (await TotalsAsync(source)).ShouldBe((10L, 10_000L, 3000L, 0.125m));
    }

    [Theory]
    [InlineData(100L, 80L, 30L, 10L, null, "token_usage_cache_within_input")]
    [InlineData(100L, null, null, -1L, null, "token_usage_counts_non_negative")]
    [InlineData(100L, null, null, 10L, 11L, "token_usage_reasoning_within_output")]
    public async Task Check_constraints_reject_impossible_counts_and_nothing_of_the_batch_is_kept(
        long input, long? cachedRead, long? cachedWrite, long output, long? reasoning, string constraint)
    {
        var source = NewSource();
        var good = Rows.Usage(source, hour: 1);
        var bad = Rows.Usage(source, hour: 2, input: input, cachedRead: cachedRead, cachedWrite: cachedWrite, output: output, reasoning: reasoning);
        var error = await Should.ThrowAsync<PostgresException>(() => WriteAsync([good, bad]));
        error.SqlState.ShouldBe(PostgresErrorCodes.CheckViolation);
        error.ConstraintName.ShouldBe(constraint);
        (await TotalsAsync(source)).Rows.ShouldBe(0);
    }

    [Fact]
    public async Task A_window_that_ends_before_it_starts_is_rejected()
    {
        var source = NewSource();
        var bad = Rows.Usage(source) with { WindowEnd = Rows.Day };
        var error = await Should.ThrowAsync<PostgresException>(() => WriteAsync([bad]));
        error.ConstraintName.ShouldBe("token_usage_window_order");
    }

    [Fact]
    public async Task Cost_without_a_basis_is_rejected()
    {
        var bad = Rows.Usage(NewSource()) with { CostBasis = null };
        var error = await Should.ThrowAsync<PostgresException>(() => WriteAsync([bad]));
        error.ConstraintName.ShouldBe("token_usage_cost_basis_iff_cost");
    }

    [Fact]
    public async Task Two_rows_with_one_conflict_key_in_a_batch_are_refused_before_anything_is_sent()
    {
        var source = NewSource();
        var error = await Should.ThrowAsync<ArgumentException>(() => WriteAsync([Rows.Usage(source, user: "a"), Rows.Usage(source, user: "a", input: 5)]));
        error.Message.ShouldContain("two rows share the conflict key");
        (await TotalsAsync(source)).Rows.ShouldBe(0);
    }
}

public sealed class UsageWriterTestsOnCurrentPostgres(CurrentPostgresDatabase db) : UsageWriterTests(db), IClassFixture<CurrentPostgresDatabase>
{
    [Fact]
    public void Uses_the_nulls_not_distinct_key() => db.Mode.ShouldBe(ConflictMode.NullsNotDistinct);
}

public sealed class UsageWriterTestsOnPostgres14(Postgres14Database db) : UsageWriterTests(db), IClassFixture<Postgres14Database>
{
    [Fact]
    public void Uses_the_partial_unique_indexes() => db.Mode.ShouldBe(ConflictMode.PartialIndexes);
}
