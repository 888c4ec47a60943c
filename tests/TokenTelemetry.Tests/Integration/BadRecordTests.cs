using System.Text;
using Dapper;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// DESIGN §4.15 against a real database: a record the database would refuse, or that is not what it claims, is
/// rejected alone with file:line and its good neighbours are written — one hostile line never aborts a file.
/// </summary>
public sealed class BadRecordTests
{
    private const string Good1 = """{"id":"g1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100}}""";
    private const string Good2 = """{"id":"g2","object":"chat.completion","created":1763640060,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":200}}""";

    [Fact]
    public async Task Each_bad_call_is_rejected_alone_and_its_neighbours_are_written()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = dir.File("calls.jsonl");
        File.WriteAllLines(file, [
            Good1,
            """{"id":"b2","object":"chat.completion","created":1763640001,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9000000000000000,"completion_tokens":1}}""",
            """{"id":"gen-3","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","created":1763640002,"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1,"cost":2000000000}}""",
            """{"id":"b4","object":"chat.completion","created":1763640003,"model":"gpt\u0000x","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""",
            """{"id":"b5","object":"chat.completion","created":99999999999,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""",
            """{"id":"b6","object":"chat.completion","created":86400,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""",
            Good2,
        ]);

        var result = await CallIdentityTests.IngestAsync(harness, file);

        result.NewCalls.ShouldBe(2);
        result.Rejections.Select(r => r[..(r.IndexOf(": ", file.Length, StringComparison.Ordinal))]).ShouldBe([$"{file}:2", $"{file}:3", $"{file}:4", $"{file}:5", $"{file}:6"]);
        result.Rejections[3].ShouldBe($"{file}:5: time 5138-11-16 09:46:39Z is more than a day after now (2025-11-20 06:00:00Z): a clock or file error");
        result.Rejections[4].ShouldBe($"{file}:6: openai.chat: created 86400 is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)");
        (await harness.ScalarAsync<long>("SELECT sum(input_tokens) FROM telemetry.token_usage")).ShouldBe(3000);
        (await harness.ScalarAsync<long>("SELECT sum(request_count) FROM telemetry.token_usage")).ShouldBe(2);
    }

    [Fact]
    public async Task A_call_that_would_overflow_its_row_is_rejected_and_the_row_is_left_as_it_was()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("a.jsonl"), [Good1]);
        (await CallIdentityTests.IngestAsync(harness, dir.File("a.jsonl"))).NewCalls.ShouldBe(1);
        // A row already near the top of bigint (summed from many large calls): the next call must not wrap it.
        await harness.ScalarAsync<int>("UPDATE telemetry.token_usage SET input_tokens = 9223372036854775800 RETURNING 1");
        File.WriteAllLines(dir.File("b.jsonl"), [Good2]);

        var result = await CallIdentityTests.IngestAsync(harness, dir.File("b.jsonl"));

        result.NewCalls.ShouldBe(0);
        result.Rejections.ShouldBe([$"{dir.File("b.jsonl")}:1: adding this call would overflow the row's totals (64-bit counts, numeric(18,9) cost); nothing was wrapped"]);
        (await harness.ScalarAsync<long>("SELECT input_tokens FROM telemetry.token_usage")).ShouldBe(9223372036854775800);
        (await harness.ScalarAsync<long>("SELECT request_count FROM telemetry.token_usage")).ShouldBe(1);
    }

    [Fact]
    public async Task Each_bad_aggregate_row_is_rejected_alone_in_csv_with_a_bom_and_cr_line_ends()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = dir.File("rows.csv");
        string[] lines =
        [
            "source_system,provider,model,window_start,window_end,granularity,input_tokens,output_tokens,cost_usd",
            "vendor,acme,m1,2025-11-19T00:00:00Z,,day,100,10,",
            "vendor,acme,m2,2025-11-19T00:30:00Z,,hour,100,10,",
            "vendor,acme,m3,2025-11-18T00:00:00Z,2025-11-20T00:00:00Z,,100,10,",
            "vendor,acme,m4,13:00,,,100,10,",
            "vendor,acme,m5,2025-11-19T00:00:00Z",
            "vendor,acme,m\u0001x,2025-11-19T00:00:00Z,,,1,1,",
            "vendor,acme,m7,2025-11-19T00:00:00Z,,,9000000000000000,1,",
            "vendor,acme,m8,2025-11-19T00:00:00Z,,,1,1,2000000000",
            "vendor,acme,m9,2025-11-18T00:00:00Z,2025-11-19T00:00:00Z,,200,20,0.5",
        ];
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(string.Join("\r", lines) + "\r")]);

        var result = await CallIdentityTests.IngestAsync(harness, file);

        result.Rejections.ShouldBe([
            $"{file}:3: window_start 2025-11-19 00:30:00Z is not on the hour grid (UTC; e.g. 2025-11-19 00:00:00Z)",
            $"{file}:4: window_end - window_start is 2.00:00:00: a window is 15 minutes, an hour, a day or a calendar month",
            $"{file}:5: window_start '13:00' is not an ISO 8601 date and time (e.g. 2026-11-20T13:00:00Z)",
            $"{file}:6: the row has 4 field(s) but the header has 9 (a truncated or misquoted row)",
            $"{file}:7: model contains a control character (U+0001)",
            $"{file}:8: input_tokens 9000000000000000 is beyond the maximum of 1,000,000,000,000 per record",
            $"{file}:9: cost_usd 2000000000 is beyond the column's limit (below 1e9 USD)",
        ]);
        (await harness.ScalarAsync<string>("SELECT string_agg(model_id || '=' || input_tokens, ',' ORDER BY model_id) FROM telemetry.token_usage")).ShouldBe("m1=100,m9=200");
    }

    [Fact]
    public async Task One_bad_line_of_a_rows_jsonl_file_is_rejected_alone_and_utf16_is_named()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var rows = dir.File("rows", "rows.jsonl");
        Directory.CreateDirectory(dir.File("rows"));
        File.WriteAllLines(rows, [
            """{"source_system":"vendor","provider":"acme","model":"j1","window_start":"2025-11-19T00:00:00Z","input_tokens":1,"output_tokens":1}""",
            """{not json""",
            """{"source_system":"vendor","provider":"acme","model":"j2","window_start":"2025-11-19T00:00:00Z","input_tokens":2,"output_tokens":2}""",
        ]);
        var utf16 = dir.File("rows", "windows-export.csv");
        File.WriteAllText(utf16, "source_system,model,window_start\nvendor,w1,2025-11-19T00:00:00Z\n", Encoding.Unicode);

        var result = await CallIdentityTests.IngestAsync(harness, dir.File("rows")) ;

        result.Rejections.Count.ShouldBe(2);
        result.Rejections[0].ShouldStartWith($"{rows}:2: not valid JSON (");
        result.Rejections[1].ShouldBe($"{utf16}: the file is UTF-16 encoded; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 in > out) and import it again");
        (await harness.ScalarAsync<long>("SELECT sum(input_tokens) FROM telemetry.token_usage")).ShouldBe(3);
    }

    [Fact]
    public async Task A_typo_in_a_manual_file_fails_the_source_and_keeps_every_stored_row()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = dir.File("manual", "usage.csv");
        Directory.CreateDirectory(dir.File("manual"));
        const string header = "provider,model,window_start,input_tokens,output_tokens,cost_usd";
        File.WriteAllLines(file, [header, "acme,m1,2025-11-18T00:00:00Z,100,10,1.5", "acme,m2,2025-11-19T00:00:00Z,200,20,2.5"]);
        var config = new InstanceConfig { Sources = new SourcesConfig { Manual = new FileSourceConfig { Enabled = true, Path = dir.File("manual") } } };
        async Task<SourceOutcome> CollectAsync() =>
            (await harness.RunAsync(config, [new ManualSource(config.Sources.Manual!, harness.Context(config))])).ShouldHaveSingleItem();
        async Task<string> StoredAsync() => await harness.ScalarAsync<string>(
            "SELECT string_agg(model_id || '=' || input_tokens || '/' || cost_usd::numeric(10,2), ',' ORDER BY model_id) FROM telemetry.token_usage");

        (await CollectAsync()).Status.ShouldBe(SourceStatus.Ok);
        (await StoredAsync()).ShouldBe("m1=100/1.50,m2=200/2.50");

        File.WriteAllLines(file, [header, "acme,m1,2025-11-18T00:00:00Z,100,10,1.5", "acme,m2,2025-11-19T00:00:00Z,2OO,20,2.5"]);
        var failed = await CollectAsync();

        failed.Status.ShouldBe(SourceStatus.Failed);
        failed.Message.ShouldBe($"1 record(s) rejected, first {file}:3: input_tokens '2OO' is not a whole number ≥ 0; the good rows were written and no stored row was deleted — fix the file");
        (await StoredAsync()).ShouldBe("m1=100/1.50,m2=200/2.50");
        var status = (await harness.WatchdogAsync()).Single(w => w.SourceSystem == "manual");
        (status.Status, status.Message).ShouldBe(("error", failed.Message));

        // Fixed, m2 removed and m3 added on purpose: over the days it covers the file is the whole truth again, so m2 goes.
        File.WriteAllLines(file, [header, "acme,m1,2025-11-18T00:00:00Z,150,10,1.5", "acme,m3,2025-11-20T00:00:00Z,300,30,3.5"]);
        (await CollectAsync()).Message.ShouldBe("2 record(s): 1 newly counted, 1 already counted; 2 row(s) written, 1 deleted; 0 rejected");
        (await StoredAsync()).ShouldBe("m1=150/1.50,m3=300/3.50");
    }
}
