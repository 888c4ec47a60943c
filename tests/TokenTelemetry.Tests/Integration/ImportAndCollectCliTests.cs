using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`import` and `collect` as a user runs them, against the test cluster.</summary>
public sealed class ImportAndCollectCliTests
{
    private static async Task<(long Rows, long Input, long Output, decimal? Cost)> TotalsAsync(CliInstance instance, string source)
    {
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        return await connection.QuerySingleAsync<(long, long, long, decimal?)>(
            "SELECT count(*), coalesce(sum(input_tokens),0)::bigint, coalesce(sum(output_tokens),0)::bigint, sum(cost_usd) FROM telemetry.token_usage WHERE source_system = @source",
            new { source });
    }

    [Fact]
    public async Task Importing_the_same_file_twice_counts_each_call_once_and_bad_lines_are_reported_with_file_and_line()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var file = instance.File("calls.jsonl");
        File.WriteAllLines(file, [
            """{"id":"a","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10000,"completion_tokens":500,"prompt_tokens_details":{"cached_tokens":8000}}}""",
            """{"id":"b","object":"chat.completion","created":1763640100,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""",
            """{"id":"c","object":"chat.completion","created":1763640200,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":"oops","completion_tokens":100}}""",
            """{"type":"message","id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":50}}""",
        ]);

        var first = await instance.RunAsync("import", file, "--user-id", "alice", "--at", "2025-11-20T12:30:00Z");
        var totals = await TotalsAsync(instance, "import");
        File.SetLastWriteTimeUtc(file, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)); // touched: changes nothing
        var second = await instance.RunAsync("import", file, "--user-id", "alice", "--at", "2025-11-20T12:30:00Z");

        first.ExitCode.ShouldBe(2);
        first.Stdout.ShouldBe("imported 3 record(s): 3 newly counted, 0 already counted; 2 row(s) written; 1 rejected\n");
        first.StderrLines.ShouldContain($"{file}:3: openai.chat: prompt_tokens is a string (\"oops\"), expected a whole number");
        second.ExitCode.ShouldBe(2);
        second.Stdout.ShouldBe("imported 3 record(s): 0 newly counted, 3 already counted; 0 row(s) written; 1 rejected\n");
        // gpt-4o (2 calls, 12:00): 10000 + 1000 in, 600 out; cost 2000*2.5e-6+8000*1.25e-6+500*1e-5 = 0.02, plus 1000*2.5e-6+100*1e-5 = 0.0035
        // claude-sonnet-4-5 has no time of its own, so --at places it (12:00): 1100 in, 50 out; 100*3e-6 + 1000*3e-7 + 50*1.5e-5 = 0.00135
        totals.ShouldBe((2L, 12100L, 650L, 0.02485m));
        (await TotalsAsync(instance, "import")).ShouldBe(totals);
    }

    [Fact]
    public async Task Claude_code_logs_count_each_response_once_across_resumed_session_files()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var folder = instance.File("claude-projects");
        Directory.CreateDirectory(Path.Combine(folder, "proj"));
        File.Copy(Fixtures.Path("usage", "claude_code.log", "resumed-session.jsonl"), Path.Combine(folder, "proj", "a-session.jsonl"));
        // The resumed session's file repeats msg_01A (already counted in the first file) and adds msg_01C.
        File.WriteAllLines(Path.Combine(folder, "proj", "b-resumed.jsonl"), [
            """{"type":"assistant","timestamp":"2026-08-20T02:40:24.650Z","sessionId":"9e8f","version":"2.1.140","requestId":"req_011X","message":{"id":"msg_01A","model":"claude-opus-4-8","usage":{"input_tokens":3,"cache_creation_input_tokens":2285,"cache_read_input_tokens":22137,"output_tokens":486}}}""",
            """{"type":"assistant","timestamp":"2026-08-20T02:55:00.000Z","sessionId":"9e8f","version":"2.1.140","requestId":"req_011Z","message":{"id":"msg_01C","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000,"output_tokens":40}}}""",
        ]);

        var result = await instance.RunAsync("import", folder);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldBe("imported 4 record(s): 3 newly counted, 1 already counted; 2 row(s) written; 0 rejected\n");
        // msg_01A once: 3 + 22137 + 2285 in, 486 out; msg_01B 10 + 25000 in, 120 out; msg_01C 5 + 1000 in, 40 out
        var totals = await TotalsAsync(instance, "import");
        (totals.Rows, totals.Input, totals.Output).ShouldBe((2L, 50440L, 646L));
    }

    [Fact]
    public async Task A_second_file_for_the_same_hour_adds_its_calls_and_replace_rebuilds_the_hour_from_one_file()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var folder = instance.File("calls");
        Directory.CreateDirectory(folder);
        var monday = Path.Combine(folder, "a.jsonl");
        var tuesday = Path.Combine(folder, "b.jsonl");
        File.WriteAllText(monday, """{"id":"a","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""" + "\n");
        File.WriteAllText(tuesday, """{"id":"b","object":"chat.completion","created":1763640300,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":200}}""" + "\n");

        (await instance.RunAsync("import", monday)).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 1000L, 100L, 0.0035m)); // 1000*2.5e-6 + 100*1e-5
        (await instance.RunAsync("import", tuesday)).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 3000L, 300L, 0.0105m));

        // Both files again, as a folder: every call is known, nothing changes.
        (await instance.RunAsync("import", folder)).Stdout.ShouldBe("imported 2 record(s): 0 newly counted, 2 already counted; 0 row(s) written; 0 rejected\n");
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 3000L, 300L, 0.0105m));

        // --replace is the explicit way to let one file's calls stand for the hour.
        (await instance.RunAsync("import", tuesday, "--replace")).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 2000L, 200L, 0.007m));
        // …and the dropped call is no longer counted, so importing it again brings it back.
        (await instance.RunAsync("import", monday)).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 3000L, 300L, 0.0105m));
    }

    [Fact]
    public async Task Two_concurrent_imports_of_different_files_into_the_same_hours_lose_and_double_nothing()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        // 20,000 calls per file over the same ten hours; input 100 + i % 50, output 10.
        foreach (var name in (string[])["a", "b"])
            File.WriteAllLines(instance.File($"{name}.jsonl"), Enumerable.Range(0, 20_000).Select(i =>
                $$$"""{"id":"{{{name}}}-{{{i}}}","object":"chat.completion","created":{{{1763640000 + i % 10 * 3600}}},"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":{{{100 + i % 50}}},"completion_tokens":10}}"""));
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        await connection.OpenAsync();
        Task<Cli.Result> a, b;
        await using (var holding = await connection.BeginTransactionAsync())
        {
            // Hold the ingest lock until both imports are waiting for it, so they really run at the same time.
            await connection.ExecuteAsync("SELECT name FROM telemetry.collector_lock WHERE name = 'ingest' FOR UPDATE", transaction: holding);
            a = instance.RunAsync("import", instance.File("a.jsonl"));
            b = instance.RunAsync("import", instance.File("b.jsonl"));
            await using var watcher = new NpgsqlConnection(instance.ConnectionString);
            await watcher.OpenAsync();
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") < 2)
            {
                DateTime.UtcNow.ShouldBeLessThan(deadline, "both imports should be waiting for the ingest lock");
                await Task.Delay(50);
            }
        }
        var (first, second) = (await a, await b);

        first.ExitCode.ShouldBe(0, first.Stderr);
        second.ExitCode.ShouldBe(0, second.Stderr);
        first.Stderr.ShouldContain("waiting for another import or file-source collect of this schema to finish (it holds the ingest lock)");
        first.Stdout.ShouldBe("imported 20000 record(s): 20000 newly counted, 0 already counted; 10 row(s) written; 0 rejected\n");
        second.Stdout.ShouldBe(first.Stdout);
        // 2 × (20,000 × 100 + 400 × (0 + … + 49)) = 4,980,000 in; 40,000 × 10 out
        (await connection.QuerySingleAsync<(long, long, long, long)>(
            "SELECT count(*), sum(request_count)::bigint, sum(input_tokens)::bigint, sum(output_tokens)::bigint FROM telemetry.token_usage"))
            .ShouldBe((10L, 40_000L, 4_980_000L, 400_000L));
    }

    [Fact]
    public async Task Payloads_and_rows_come_from_stdin_too()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var payloads = await Cli.RunWithInputAsync(instance.Root, instance.Environment,
            """{"id":"s1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""" + "\n",
            "import", "-");
        var rows = await Cli.RunWithInputAsync(instance.Root, instance.Environment,
            "model,window_start,input_tokens,output_tokens\nm1,2025-11-19T00:00:00Z,5,1\n", "import", "-", "--format", "rows");

        payloads.Stdout.ShouldBe("imported 1 record(s): 1 newly counted, 0 already counted; 1 row(s) written; 0 rejected\n", payloads.Stderr);
        rows.Stdout.ShouldBe("imported 1 record(s): 1 newly counted, 0 already counted; 1 row(s) written; 0 rejected\n", rows.Stderr);
        (await TotalsAsync(instance, "import")).ShouldBe((2L, 15L, 2L, 0.000035m)); // gpt-4o 10 × 2.5e-6 + 1 × 1e-5; m1 has no price (NULL)
    }

    [Fact]
    public async Task Csv_rows_keep_blank_cells_null_and_reject_bad_rows_by_line()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var file = instance.File("rows.csv");
        File.WriteAllText(file, """
            source_system,provider,model,window_start,window_end,input_tokens,cached_read_tokens,output_tokens,reasoning_tokens,cost_usd,measurement_basis
            vendor_x,acme,acme-large,2025-11-20T00:00:00Z,2025-11-21T00:00:00Z,1000,,200,,1.50,provider_aggregate
            vendor_x,acme,acme-small,2025-11-20,,500,600,10,,,exact
            vendor_x,acme,acme-small,not-a-date,,1,,1,,,exact

            """);
        var result = await instance.RunAsync("import", file);

        result.ExitCode.ShouldBe(2);
        result.StderrLines.ShouldContain($"{file}:3: cached_read_tokens + cached_write_tokens (600) exceed input_tokens (500)");
        result.StderrLines.ShouldContain($"{file}:4: window_start 'not-a-date' is not an ISO 8601 date and time (e.g. 2026-11-20T13:00:00Z)");
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        var row = await connection.QuerySingleAsync("SELECT * FROM telemetry.token_usage");
        ((string)row.source_system).ShouldBe("vendor_x");
        ((long?)row.cached_read_tokens).ShouldBeNull();
        ((long?)row.reasoning_tokens).ShouldBeNull();
        ((decimal)row.cost_usd).ShouldBe(1.5m);
        ((string)row.cost_basis).ShouldBe("provider_reported");
        ((string)row.granularity).ShouldBe("day");
    }

    [Fact]
    public async Task A_misconfigured_source_fails_alone_and_collect_exits_2()
    {
        using var instance = await CliInstance.CreateAsync("""
            openai:
              enabled: true
              admin_key: ${OPENAI_ADMIN_KEY}
            subscriptions:
              enabled: true
              plans:
                - name: Team
                  provider: openai
                  monthly_usd: 30
                  seats: 2
                  start: 2025-11-01
            """);
        instance.Environment["TT_NOW"] = "2026-11-28T12:00:00Z";
        var result = await instance.RunAsync("collect");

        result.ExitCode.ShouldBe(2, result.Stderr);
        result.StdoutLines.ShouldContain(l => l.StartsWith("openai         failed   misconfigured: sources.openai.admin_key (line ", StringComparison.Ordinal)
            && l.Contains("environment variable OPENAI_ADMIN_KEY is not set", StringComparison.Ordinal));
        result.StdoutLines.ShouldContain(l => l.StartsWith("subscriptions  ok ", StringComparison.Ordinal));
        var (rows, _, _, cost) = await TotalsAsync(instance, "subscriptions");
        rows.ShouldBe(393); // one per day, 2025-11-01 to 2026-11-28
        cost.ShouldBe(12 * 60m + 28 * 2m); // 12 whole periods of $30 × 2 seats, then 28 of November's 30 days
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        (await connection.ExecuteScalarAsync<string>("SELECT status FROM telemetry.watchdog_status WHERE source_system = 'openai'")).ShouldBe("error");
        (await connection.ExecuteScalarAsync<string>("SELECT status FROM telemetry.watchdog_status WHERE source_system = '__heartbeat__'")).ShouldBe("ok");
    }

    [Fact]
    public async Task Bad_from_to_and_unknown_sources_are_one_line_errors()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: true");
        (await instance.RunAsync("collect", "--from", "yesterday", "--to", "2025-11-20T00:00:00Z")).StderrLines
            .ShouldBe(["error: --from 'yesterday' is not an ISO 8601 date and time (e.g. 2026-11-20T13:00:00Z (UTC when no offset is given))"]);
        (await instance.RunAsync("collect", "--daemon", "--interval", "100000d")).StderrLines
            .ShouldBe(["error: --interval '100000d' is not a duration from 1m to 7d (e.g. 15m or 1h)"]);
        (await instance.RunAsync("import", "-", "--source-system", " ")).StderrLines
            .ShouldBe(["error: --source-system is empty (leave it out for the default (import))"]);
        var unknown = await instance.RunAsync("collect", "--source", "litellm");
        unknown.ExitCode.ShouldBe(1);
        unknown.StderrLines.ShouldBe([$"error: source 'litellm' is not enabled in {Path.Combine(instance.Directory, "config.yaml")} (enabled: subscriptions)"]);
    }
}
