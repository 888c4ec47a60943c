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
    public async Task Importing_the_same_file_twice_replaces_and_bad_lines_are_reported_with_file_and_line()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var file = instance.File("calls.jsonl");
        File.WriteAllLines(file, [
            """{"id":"a","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10000,"completion_tokens":500,"prompt_tokens_details":{"cached_tokens":8000}}}""",
            """{"id":"b","object":"chat.completion","created":1763640100,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""",
            """{"id":"c","object":"chat.completion","created":1763640200,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":"oops","completion_tokens":100}}""",
            """{"type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":50}}""",
        ]);
        File.SetLastWriteTimeUtc(file, new DateTime(2025, 11, 20, 12, 30, 0, DateTimeKind.Utc));

        var first = await instance.RunAsync("import", file, "--user-id", "alice");
        var totals = await TotalsAsync(instance, "import");
        var second = await instance.RunAsync("import", file, "--user-id", "alice");

        first.ExitCode.ShouldBe(2);
        first.Stdout.ShouldBe("imported 3 record(s) into 2 row(s); 1 rejected\n");
        first.StderrLines.ShouldContain($"{file}:3: openai.chat: prompt_tokens is a string (\"oops\"), expected a whole number");
        second.ExitCode.ShouldBe(2);
        // gpt-4o (2 calls, 12:00): 10000 + 1000 in, 600 out; cost 2000*2.5e-6+8000*1.25e-6+500*1e-5 = 0.02, plus 1000*2.5e-6+100*1e-5 = 0.0035
        // claude-sonnet-4-5 at the file time (12:00): 1100 in, 50 out; 100*3e-6 + 1000*3e-7 + 50*1.5e-5 = 0.00135
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
        result.Stdout.ShouldBe("imported 3 record(s) into 2 row(s); 0 rejected\n");
        // msg_01A once: 3 + 22137 + 2285 in, 486 out; msg_01B 10 + 25000 in, 120 out; msg_01C 5 + 1000 in, 40 out
        var totals = await TotalsAsync(instance, "import");
        (totals.Rows, totals.Input, totals.Output).ShouldBe((2L, 50440L, 646L));
    }

    [Fact]
    public async Task A_second_file_for_the_same_hour_is_refused_instead_of_dropping_the_first_files_calls()
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        var folder = instance.File("calls");
        Directory.CreateDirectory(folder);
        var monday = Path.Combine(folder, "a.jsonl");
        var tuesday = Path.Combine(folder, "b.jsonl");
        File.WriteAllText(monday, """{"id":"a","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""" + "\n");
        File.WriteAllText(tuesday, """{"id":"b","object":"chat.completion","created":1763640300,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":200}}""" + "\n");

        (await instance.RunAsync("import", monday)).ExitCode.ShouldBe(0);
        var refused = await instance.RunAsync("import", tuesday);
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldBe($"error: 1 row(s) of this import already hold calls from other files ({monday}); writing would drop them, so nothing was written (import those files together (put them in one folder and import the folder), keep them apart with --project-id or --source-system, or pass --replace to overwrite)\n");
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 1000L, 100L, 0.0035m)); // 1000*2.5e-6 + 100*1e-5

        // Both files together make one row with both calls, and re-importing the folder stays idempotent.
        (await instance.RunAsync("import", folder)).ExitCode.ShouldBe(0);
        (await instance.RunAsync("import", folder)).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 3000L, 300L, 0.0105m));

        // --replace is the explicit way to let one file's calls stand for the hour.
        (await instance.RunAsync("import", tuesday, "--replace")).ExitCode.ShouldBe(0);
        (await TotalsAsync(instance, "import")).ShouldBe((1L, 2000L, 200L, 0.007m));
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
        result.StderrLines.ShouldContain($"{file}:4: window_start 'not-a-date' is not an ISO 8601 time (e.g. 2026-11-20T13:00:00Z)");
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
            .ShouldBe(["error: --from 'yesterday' is not an ISO 8601 time (e.g. 2026-11-20T13:00:00Z (UTC when no offset is given))"]);
        var unknown = await instance.RunAsync("collect", "--source", "litellm");
        unknown.ExitCode.ShouldBe(1);
        unknown.StderrLines.ShouldBe([$"error: source 'litellm' is not enabled in {Path.Combine(instance.Directory, "config.yaml")} (enabled: subscriptions)"]);
    }
}
