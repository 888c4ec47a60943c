using System.Diagnostics;
using System.Globalization;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The ingest path where an adversarial review broke it: a log read while it is written, one response through two
/// doors with two provider labels, files whatever their name, pipes in a folder, rows moved to another day in a
/// manual file, and rows taking `import --user-id`.
/// </summary>
public sealed class IngestEdgeTests
{
    private static string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_stream_read_while_its_file_is_written_is_counted_whole_once_it_ends()
    {
        var harness = await EngineHarness.CreateAsync();
        harness.Clock.Now = DateTimeOffset.UtcNow;
        using var dir = new TempDirectory();
        var created = Unix(DateTimeOffset.UtcNow.AddMinutes(-1));
        string Chunk(string rest) => $$"""{"id":"chatcmpl-live","object":"chat.completion.chunk","created":{{created}},"model":"gpt-4o-mini",{{rest}}}""";
        var file = dir.File("live.jsonl");
        File.WriteAllLines(file, [
            Chunk(""" "choices":[{"index":0,"delta":{"role":"assistant","content":""}}]"""),
            Chunk(""" "choices":[{"index":0,"delta":{"content":"Hi"}}]"""),
        ]);

        var first = await CallIdentityTests.IngestAsync(harness, file);
        (first.NewCalls, first.Unfinished).ShouldBe((0L, 1L)); // the stream is open and the file was written just now
        first.Summary().ShouldEndWith("; 1 unfinished (still being written: counted on a later run)");

        File.AppendAllLines(file, [Chunk(""" "choices":[],"usage":{"prompt_tokens":300,"completion_tokens":20,"total_tokens":320}""")]);
        (await CallIdentityTests.IngestAsync(harness, file)).NewCalls.ShouldBe(1);
        (await harness.ScalarAsync<string>("SELECT input_tokens || '/' || output_tokens FROM telemetry.token_usage")).ShouldBe("300/20");

        // An old file's open stream was interrupted, not unfinished: it counts with what it has.
        var old = dir.File("old.jsonl");
        File.WriteAllLines(old, [Chunk(""" "choices":[{"index":0,"delta":{"content":"Hi"}}]""").Replace("chatcmpl-live", "chatcmpl-cut", StringComparison.Ordinal)]);
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        var interrupted = await CallIdentityTests.IngestAsync(harness, old);
        (interrupted.NewCalls, interrupted.Unfinished).ShouldBe((1L, 0L));
    }

    [Fact]
    public async Task One_response_through_a_litellm_spend_log_and_raw_counts_once_whatever_provider_each_names()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        const string response = """{"id":"chatcmpl-9f8e7d6c5b4a","object":"chat.completion","created":1763640000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":10,"total_tokens":50}}""";
        File.WriteAllLines(dir.File("a-direct.jsonl"), [response]);
        File.WriteAllLines(dir.File("b-spend-log.jsonl"), [
            $$"""{"request_id":"chatcmpl-9f8e7d6c5b4a","startTime":"2025-11-20T12:00:00Z","custom_llm_provider":"hosted_vllm","model":"hosted_vllm/llama","response":{{response}}}""",
        ]);

        var result = await CallIdentityTests.IngestAsync(harness, dir.Path);

        (result.Records, result.NewCalls, result.AlreadyCounted).ShouldBe((2L, 1L, 1L));
        (await harness.ScalarAsync<long>("SELECT sum(request_count) FROM telemetry.token_usage")).ShouldBe(1);
        (await harness.ScalarAsync<long>("SELECT sum(input_tokens) FROM telemetry.token_usage")).ShouldBe(40);
    }

    [Fact]
    public async Task A_named_file_is_read_whatever_its_name_and_a_folder_reads_rows_and_payloads_each_as_what_it_is()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var rotated = dir.File("requests.log.1");
        File.WriteAllLines(rotated, ["""{"id":"r1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}"""]);
        (await CallIdentityTests.IngestAsync(harness, rotated)).NewCalls.ShouldBe(1);

        Directory.CreateDirectory(dir.File("mixed"));
        File.WriteAllLines(dir.File("mixed", "a-costs.csv"), ["model,window_start,input_tokens,output_tokens", "vendor-m,2025-11-19T00:00:00Z,100,10"]);
        File.WriteAllLines(dir.File("mixed", "b-calls.log"), ["""{"id":"m1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":2}}"""]);
        var mixed = await CallIdentityTests.IngestAsync(harness, dir.File("mixed"));

        (mixed.Records, mixed.NewCalls, mixed.RejectedCount).ShouldBe((2L, 2L, 0L));
        (await harness.ScalarAsync<long>("SELECT sum(input_tokens) FROM telemetry.token_usage")).ShouldBe(127);
    }

    [Fact]
    public async Task A_pipe_in_a_folder_is_left_alone_instead_of_hanging_the_ingest()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("calls.jsonl"), ["""{"id":"p1","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}"""]);
        using (var mkfifo = Process.Start("mkfifo", dir.File("pipe.jsonl"))) await mkfifo.WaitForExitAsync();
        File.Exists(dir.File("pipe.jsonl")).ShouldBeTrue();
        File.CreateSymbolicLink(dir.File("zero.jsonl"), "/dev/zero");

        var result = await CallIdentityTests.IngestAsync(harness, dir.Path).WaitAsync(TimeSpan.FromSeconds(30));

        (result.Records, result.NewCalls, result.RejectedCount).ShouldBe((1L, 1L, 0L));
    }

    [Fact]
    public async Task A_row_moved_to_another_day_in_a_manual_file_leaves_its_old_day()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var file = dir.File("manual", "usage.csv");
        Directory.CreateDirectory(dir.File("manual"));
        const string header = "source_system,provider,model,window_start,input_tokens,output_tokens,cost_usd";
        File.WriteAllLines(file, [header, "manual,acme,m1,2025-10-01T00:00:00Z,10,1,1", "manual,acme,m1,2025-10-30T00:00:00Z,500,50,50", "openai,openai,gpt-x,2025-10-15T00:00:00Z,7,7,7"]);
        var config = new InstanceConfig { Sources = new SourcesConfig { Manual = new FileSourceConfig { Enabled = true, Path = dir.File("manual") } } };
        async Task<SourceOutcome> CollectAsync() => (await harness.RunAsync(config, [new ManualSource(config.Sources.Manual!, harness.Context(config))])).ShouldHaveSingleItem();
        (await CollectAsync()).Status.ShouldBe(SourceStatus.Ok);

        // The typo fixed (Oct 30 was meant to be Oct 3), and the row another source_system was named for removed.
        File.WriteAllLines(file, [header, "manual,acme,m1,2025-10-01T00:00:00Z,10,1,1", "manual,acme,m1,2025-10-03T00:00:00Z,500,50,50"]);
        (await CollectAsync()).Message.ShouldBe("2 record(s): 1 newly counted, 1 already counted; 2 row(s) written, 2 deleted; 0 rejected");

        (await harness.ScalarAsync<string>("SELECT string_agg(source_system || ' ' || to_char(window_start AT TIME ZONE 'UTC', 'MM-DD') || ' ' || cost_usd::numeric(10,0), ', ' ORDER BY window_start) FROM telemetry.token_usage"))
            .ShouldBe("manual 10-01 1, manual 10-03 50");
    }

    [Fact]
    public async Task Aggregate_rows_take_the_user_and_project_given_for_the_import_when_they_name_none()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("rows.csv"), ["model,window_start,user_id,input_tokens,output_tokens", "m1,2025-11-19T00:00:00Z,,5,1", "m2,2025-11-19T00:00:00Z,carol,5,1"]);

        var result = await new LedgerHarness(harness.ConnectionString, harness.Schema, harness.Clock).IngestAsync(new Ingest.IngestRequest
        {
            Path = dir.File("rows.csv"), BaseDirectory = "/", SourceSystem = "import", RowUserId = "bob", RowProjectId = "p1",
        });

        result.NewCalls.ShouldBe(2);
        (await harness.ScalarAsync<string>("SELECT string_agg(model_id || ':' || user_id || ':' || project_id, ',' ORDER BY model_id) FROM telemetry.token_usage"))
            .ShouldBe("m1:bob:p1,m2:carol:p1");
    }
}
