using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Invariant 16 against a real database: a call is counted once whatever way it arrives — the same file touched,
/// renamed, copied into another file, appended to, split, reached through symlinks, or fed through `import` and the
/// `requests` source — and a file's modification time never places a call.
/// </summary>
public sealed class CallIdentityTests
{
    // 12:00 and 13:00 on 2025-11-20 by their own `created`; msg_3 and the Bedrock response carry no time: --at places them.
    private const string L1 = """{"id":"chatcmpl-1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""";
    private const string L2 = """{"id":"chatcmpl-2","object":"chat.completion","created":1763643600,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":200}}""";
    private const string L3 = """{"type":"message","id":"msg_3","model":"claude-sonnet-4-5","usage":{"input_tokens":300,"output_tokens":30}}""";
    private const string L4 = """{"output":{"message":{"role":"assistant","content":[]}},"stopReason":"end_turn","usage":{"inputTokens":40,"outputTokens":4,"totalTokens":44},"metrics":{"latencyMs":100}}""";
    private const string L5 = """{"id":"chatcmpl-5","object":"chat.completion","created":1763640060,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":5000,"completion_tokens":500}}""";
    private const string L6 = """{"id":"chatcmpl-6","object":"chat.completion","created":1763640120,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}""";
    private static readonly DateTimeOffset At = new(2025, 11, 20, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Touching_moving_copying_appending_splitting_and_symlinking_a_file_change_no_total()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = Write(dir.File("logs", "calls.jsonl"), L1, L2, L3, L4);

        (await IngestAsync(harness, file)).NewCalls.ShouldBe(4);
        (await TotalsAsync(harness)).ShouldBe((4L, 3340L, 334L)); // 1000+2000+300+40 in, 100+200+30+4 out

        File.SetLastWriteTimeUtc(file, new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc));
        var touched = await IngestAsync(harness, file);
        (touched.NewCalls, touched.AlreadyCounted, touched.RowsWritten).ShouldBe((0L, 4L, 0L));

        var moved = dir.File("elsewhere", "renamed.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Move(file, moved);
        (await IngestAsync(harness, moved)).NewCalls.ShouldBe(0);

        // Copied into another file together with one new call: only the new call counts.
        (await IngestAsync(harness, Write(dir.File("other.jsonl"), L5, L1, L2, L3, L4))).NewCalls.ShouldBe(1);
        (await TotalsAsync(harness)).ShouldBe((5L, 8340L, 834L));

        File.AppendAllLines(moved, [L6]);
        (await IngestAsync(harness, moved)).NewCalls.ShouldBe(1); // appending adds exactly the appended call
        (await TotalsAsync(harness)).ShouldBe((6L, 8347L, 837L));

        Write(dir.File("split", "a.jsonl"), L1, L2);
        Write(dir.File("split", "b.jsonl"), L3, L4, L6);
        (await IngestAsync(harness, dir.File("split"))).NewCalls.ShouldBe(0);

        // A folder reached twice through a link, a link to a file already there, and a link to itself (a loop).
        var linked = dir.File("linked");
        Directory.CreateDirectory(linked);
        Directory.CreateSymbolicLink(Path.Combine(linked, "same"), dir.File("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(linked, "same-again"), dir.File("elsewhere"));
        File.CreateSymbolicLink(Path.Combine(linked, "file-link.jsonl"), moved);
        Directory.CreateSymbolicLink(Path.Combine(linked, "loop"), linked);
        var throughLinks = await IngestAsync(harness, linked);
        (throughLinks.Records, throughLinks.NewCalls, throughLinks.RejectedCount).ShouldBe((5L, 0L, 0L)); // renamed.jsonl read once
        (await TotalsAsync(harness)).ShouldBe((6L, 8347L, 837L));
    }

    [Fact]
    public async Task Identical_id_less_lines_of_one_file_are_separate_calls_and_a_copy_of_the_file_adds_none()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = Write(dir.File("a.jsonl"), L4, L4, L4);
        (await IngestAsync(harness, file)).NewCalls.ShouldBe(3);
        (await IngestAsync(harness, Write(dir.File("copy", "a.jsonl"), L4, L4, L4))).NewCalls.ShouldBe(0);
        (await IngestAsync(harness, Write(dir.File("more.jsonl"), L4, L4, L4, L4))).NewCalls.ShouldBe(1); // a fourth identical call
        (await TotalsAsync(harness)).ShouldBe((4L, 160L, 16L));
    }

    [Fact]
    public async Task A_line_without_a_time_is_rejected_naming_the_flag_and_the_file_time_is_never_used()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = Write(dir.File("a.jsonl"), L1, L3);
        File.SetLastWriteTimeUtc(file, new DateTime(2025, 11, 20, 15, 0, 0, DateTimeKind.Utc));

        var result = await IngestAsync(harness, file, withoutAt: true);

        result.NewCalls.ShouldBe(1);
        result.Rejections.ShouldBe([$"{file}:2: no time: neither the payload nor its log envelope says when the call happened (give such calls one with --at T)"]);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage WHERE window_start = '2025-11-20T15:00:00Z'")).ShouldBe(0);
    }

    [Fact]
    public async Task Path_problems_are_one_line_errors_and_never_hang()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("loop-a.jsonl"), dir.File("loop-b.jsonl"));
        File.CreateSymbolicLink(dir.File("loop-b.jsonl"), dir.File("loop-a.jsonl"));

        var loop = await Should.ThrowAsync<IngestPathException>(() => IngestAsync(harness, dir.File("loop-a.jsonl")));
        loop.ToErrorLine().ShouldBe($"error: {dir.File("loop-a.jsonl")}: is a symbolic link loop (too many levels of symbolic links) (point at the real file or folder)");
        var missing = await Should.ThrowAsync<IngestPathException>(() => IngestAsync(harness, dir.File("nope")));
        missing.Message.ShouldBe($"{dir.File("nope")}: does not exist");

        // Inside a folder the same problems are listed beside the files that were read.
        Write(dir.File("good.jsonl"), L1);
        File.CreateSymbolicLink(dir.File("dangling.jsonl"), dir.File("gone.jsonl"));
        var result = await IngestAsync(harness, dir.Path);
        result.NewCalls.ShouldBe(1);
        result.Rejections.Order(StringComparer.Ordinal).ShouldBe([
            $"{dir.File("dangling.jsonl")}: is a symbolic link to a path that does not exist",
            $"{dir.File("loop-a.jsonl")}: is a symbolic link loop (too many levels of symbolic links)",
            $"{dir.File("loop-b.jsonl")}: is a symbolic link loop (too many levels of symbolic links)",
        ]);
    }

    [Fact]
    public async Task The_same_calls_through_import_and_the_requests_source_count_once_and_verify_agrees()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = Write(dir.File("logs", "calls.jsonl"), L1, L2, L3, L4);
        var config = new InstanceConfig
        {
            Sources = new SourcesConfig { Requests = new FileSourceConfig { Enabled = true, Path = dir.File("logs"), At = "2025-11-20T12:30:00Z" } },
        };

        (await IngestAsync(harness, dir.File("logs"))).NewCalls.ShouldBe(4);
        var collected = (await harness.RunAsync(config, [new RequestsSource(config.Sources.Requests!, harness.Context(config))])).ShouldHaveSingleItem();
        collected.Message.ShouldBe("4 record(s): 0 newly counted, 4 already counted (4 under source_system 'import'); 0 row(s) written; 0 rejected");

        File.AppendAllLines(file, [L5]);
        (await harness.RunAsync(config, [new RequestsSource(config.Sources.Requests!, harness.Context(config))])).ShouldHaveSingleItem()
            .Message.ShouldBe("5 record(s): 1 newly counted, 4 already counted (4 under source_system 'import'); 1 row(s) written; 0 rejected");
        var again = await IngestAsync(harness, dir.File("logs"));
        again.Summary().ShouldBe("5 record(s): 0 newly counted, 5 already counted (1 under source_system 'requests'); 0 row(s) written; 0 rejected");

        (await harness.ScalarAsync<long>("SELECT sum(request_count) FROM telemetry.token_usage WHERE source_system = 'import'")).ShouldBe(4);
        (await harness.ScalarAsync<long>("SELECT sum(request_count) FROM telemetry.token_usage WHERE source_system = 'requests'")).ShouldBe(1);
        (await TotalsAsync(harness)).ShouldBe((5L, 8340L, 834L));
        var checks = await VerifyAsync(harness, config);
        checks.Single(c => c.Name == "calls_counted_once").Passed.ShouldBeTrue();
        checks.Single(c => c.Name == "ledger_matches_rows").Passed.ShouldBeTrue();
    }

    [Fact]
    public async Task Verify_finds_a_call_placed_in_two_windows_by_two_different_at_times()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = Write(dir.File("a.jsonl"), L4);
        (await IngestAsync(harness, file, At)).NewCalls.ShouldBe(1);
        (await IngestAsync(harness, file, At.AddDays(-2))).NewCalls.ShouldBe(1); // no time of its own: the ledger of that other day knows nothing of it

        var check = (await VerifyAsync(harness, new InstanceConfig())).Single(c => c.Name == "calls_counted_once");

        check.Passed.ShouldBeFalse();
        var example = check.Examples.ShouldHaveSingleItem();
        (example["rows"], example["source_systems"], example["windows"]).ShouldBe((2L, "import", "2025-11-18T12:00Z, 2025-11-20T12:00Z"));
    }

    [Fact]
    public async Task Rows_imported_before_the_ledger_are_taken_over_only_when_that_loses_no_call()
    {
        using var dir = new TempDirectory();
        var calls = Write(dir.File("calls.jsonl"), L1, L5);
        var connectionString = await (await TestCluster.Current).CreateDatabaseAsync();
        var schema = new SchemaName("telemetry");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await new Migrator(schema, [Migration.LoadEmbedded()[0]], "0.1.0").MigrateAsync(connection, null, CancellationToken.None);
            // What V0001's import wrote for calls.jsonl (L1 and L5, 12:00) and for another file's call at 13:00 (V0001's columns:
            // today's writer needs a schema at V0004).
            foreach (var legacy in new[] { Legacy(12, 6000, 600, 2, calls), Legacy(13, 9, 9, 1, dir.File("other.jsonl")) })
                await connection.ExecuteAsync("""
                    INSERT INTO telemetry.token_usage (source_system, provider, model, model_id, window_start, window_end, granularity, measurement_basis,
                        input_tokens, output_tokens, request_count, cost_usd, cost_basis, raw_usage)
                    VALUES (@SourceSystem, @Provider, @Model, @ModelId, @Start, @End, 'hour', 'exact', @InputTokens, @OutputTokens, @RequestCount, @CostUsd, 'computed', @RawUsage::jsonb)
                    """, new { legacy.SourceSystem, legacy.Provider, legacy.Model, legacy.ModelId, Start = legacy.WindowStart.UtcDateTime, End = legacy.WindowEnd.UtcDateTime,
                        legacy.InputTokens, legacy.OutputTokens, legacy.RequestCount, legacy.CostUsd, legacy.RawUsage });
            (await new Migrator(schema).MigrateAsync(connection, null, CancellationToken.None)).Select(m => m.Version).ShouldBe([2, 3, 4, 5]);
        }
        var harness = new LedgerHarness(connectionString, schema);

        // Re-importing the same file after the upgrade: the old row is replaced by the same calls, not added to.
        (await harness.IngestAsync(Request(calls))).NewCalls.ShouldBe(2);
        (await harness.ScalarAsync<long>("SELECT input_tokens FROM telemetry.token_usage WHERE window_start = '2025-11-20T12:00:00Z'")).ShouldBe(6000);
        (await harness.IngestAsync(Request(calls))).NewCalls.ShouldBe(0);

        // The 13:00 row sums another file's call: adding L2 there would drop it, so nothing is written…
        var l2 = Write(dir.File("l2.jsonl"), L2);
        var refused = await Should.ThrowAsync<TelemetryException>(() => harness.IngestAsync(Request(l2)));
        refused.Message.ShouldBe($"source_system import, model gpt-4o, window 2025-11-20 13:00:00Z → 2025-11-20 14:00:00Z, user (org), project (none) holds calls imported before this version from {dir.File("other.jsonl")}, which this input does not contain; writing would drop them, so nothing was written");
        (await harness.ScalarAsync<long>("SELECT input_tokens FROM telemetry.token_usage WHERE window_start = '2025-11-20T13:00:00Z'")).ShouldBe(9);
        // …unless --replace says to rebuild the hour from this input.
        (await harness.IngestAsync(Request(l2) with { Replace = true })).NewCalls.ShouldBe(1);
        (await harness.ScalarAsync<long>("SELECT input_tokens FROM telemetry.token_usage WHERE window_start = '2025-11-20T13:00:00Z'")).ShouldBe(2000);

        static IngestRequest Request(string path) => new() { Path = path, BaseDirectory = "/", SourceSystem = "import", At = At };
        static TokenUsageRow Legacy(int hour, long input, long output, long calls, string file) => Rows.Usage("import") with
        {
            WindowStart = new DateTimeOffset(2025, 11, 20, hour, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 11, 20, hour + 1, 0, 0, TimeSpan.Zero),
            InputTokens = input, CachedReadTokens = null, OutputTokens = output, RequestCount = calls, MeasurementBasis = Usage.MeasurementBasis.Exact,
            RawUsage = $$"""{"adapter":"requests","calls":{{calls}},"files":["{{file}}"]}""",
        };
    }

    private static string Write(string path, params string[] lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    internal static Task<IngestResult> IngestAsync(EngineHarness harness, string path, DateTimeOffset? at = null, bool withoutAt = false, string source = "import") =>
        new LedgerHarness(harness.ConnectionString, harness.Schema, harness.Clock).IngestAsync(new IngestRequest
        {
            Path = path, BaseDirectory = "/", SourceSystem = source, At = withoutAt ? null : at ?? At,
        });

    private static async Task<(long Calls, long Input, long Output)> TotalsAsync(EngineHarness harness)
    {
        await using var connection = await harness.OpenAsync();
        return await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT coalesce(sum(request_count), 0)::bigint, coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint FROM telemetry.token_usage");
    }

    private static async Task<IReadOnlyList<CheckResult>> VerifyAsync(EngineHarness harness, InstanceConfig config)
    {
        await using var connection = await harness.OpenAsync();
        return await new Verifier(harness.Schema, config, [], new ModelResolver(EngineHarness.Table), harness.Clock).RunAsync(connection, CancellationToken.None);
    }
}

/// <summary>The ingest use case in this process against a test database, as `import` runs it.</summary>
internal sealed class LedgerHarness(string connectionString, SchemaName schema, TimeProvider? clock = null)
{
    public List<string> Progress { get; } = [];

    public async Task<IngestResult> IngestAsync(IngestRequest request)
    {
        await using var database = new TelemetryDatabase(connectionString, schema);
        return await new FileIngest(database, new UsagePricer(EngineHarness.Table), clock ?? new FixedClock(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)), Progress.Add)
            .RunAsync(request, CancellationToken.None);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }
}
