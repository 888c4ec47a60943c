using Dapper;
using Shouldly;
using TokenTelemetry.Ingest;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The ingest path (import, the requests and manual sources) keeps the rollups exact like every other writer: provider
/// payloads that do and do not report cache reads, aggregate rows with blank (NULL) cells, more calls added to a row,
/// an input rebuilt with --replace, and the rows a manual snapshot no longer holds.
/// </summary>
public sealed class ImportRollupTests
{
    // 2025-11-20 12:00 and 12:01 UTC: OpenAI with and without cached_tokens; 13:00: Anthropic, which reports cache reads and writes.
    private const string Cached = """{"id":"chatcmpl-a","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":600}}}""";
    private const string Uncached = """{"id":"chatcmpl-b","object":"chat.completion","created":1763640060,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":5}}""";
    private const string Claude = """{"type":"message","id":"msg_c","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"cache_read_input_tokens":300,"cache_creation_input_tokens":40,"output_tokens":7}}""";
    private const string More = """{"id":"chatcmpl-d","object":"chat.completion","created":1763640120,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""";

    [Fact]
    public async Task Imports_of_calls_and_of_rows_with_nulls_keep_the_rollups_equal_to_the_facts()
    {
        var harness = await EngineHarness.CreateAsync();
        using var dir = new TempDirectory();
        var ledger = new LedgerHarness(harness.ConnectionString, harness.Schema, harness.Clock);
        var calls = Write(dir.File("calls.jsonl"), Cached, Uncached, Claude);
        (await ledger.IngestAsync(Request(calls, at: new DateTimeOffset(2025, 11, 20, 13, 0, 0, TimeSpan.Zero)))).NewCalls.ShouldBe(3);
        await ShouldMatchAsync(harness);

        await using (var c = await harness.OpenAsync())
        {
            var gpt = (await RollupState.DailyAsync(c, "import")).Single(r => (string)r["model_id"]! == "gpt-4o");
            gpt["rows"].ShouldBe(1L);                        // both calls in the 12:00 row
            gpt["input_tokens"].ShouldBe(1050L);
            gpt["cached_read_tokens"].ShouldBe(600L);        // the row sums both calls: it reports cache reads
            gpt["cache_reported_input_tokens"].ShouldBe(1050L);
        }

        // More calls in the same row, then the same file rebuilt with --replace.
        Write(calls, Cached, Uncached, Claude, More);
        (await ledger.IngestAsync(Request(calls, at: new DateTimeOffset(2025, 11, 20, 13, 0, 0, TimeSpan.Zero)))).NewCalls.ShouldBe(1);
        await ShouldMatchAsync(harness);
        Write(calls, Cached, Claude);
        await ledger.IngestAsync(Request(calls, at: new DateTimeOffset(2025, 11, 20, 13, 0, 0, TimeSpan.Zero)) with { Replace = true });
        await ShouldMatchAsync(harness);
        (await harness.ScalarAsync<long>("SELECT input_tokens FROM telemetry.usage_daily WHERE model_id = 'gpt-4o'")).ShouldBe(1000);

        // Aggregate rows with blank cells, through the manual source's snapshot: a row dropped from the file goes.
        var rows = Write(dir.File("manual", "rows.csv"),
            "source_system,provider,model,window_start,window_end,input_tokens,cached_read_tokens,output_tokens,reasoning_tokens,cost_usd",
            "manual,acme,acme-large,2025-11-18T00:00:00Z,2025-11-19T00:00:00Z,1000,,200,,1.50",
            "manual,acme,acme-large,2025-11-19T00:00:00Z,2025-11-20T00:00:00Z,,,,,",
            "manual,acme,acme-small,2025-11-19T00:00:00Z,2025-11-20T00:00:00Z,500,100,10,3,");
        var manual = new IngestRequest { Path = rows, BaseDirectory = "/", SourceSystem = "manual", Rows = true, Snapshot = true, FailOnRejection = true };
        var written = await ledger.IngestAsync(manual);
        written.Rejections.ShouldBeEmpty();
        written.RowsWritten.ShouldBe(3);
        await ShouldMatchAsync(harness);
        (await harness.ScalarAsync<long?>("SELECT input_tokens FROM telemetry.usage_daily WHERE model_id = 'acme-large' AND day = '2025-11-19T00:00:00Z'")).ShouldBeNull();
        (await harness.ScalarAsync<long>("SELECT input_rows FROM telemetry.usage_monthly WHERE model_id = 'acme-large'")).ShouldBe(1); // 1 of its 2 rows reports input

        Write(rows, File.ReadAllLines(rows)[..3]); // acme-small's row is gone from the file, within the days it covers
        (await ledger.IngestAsync(manual)).RowsDeleted.ShouldBe(1);
        await ShouldMatchAsync(harness);
        (await harness.ScalarAsync<long>("SELECT sum(rows) FROM telemetry.usage_daily WHERE source_system = 'manual'")).ShouldBe(2);
        (await harness.ScalarAsync<long>("SELECT count(*) FROM telemetry.usage_dims WHERE model_id = 'acme-small'")).ShouldBe(0);
    }

    private static IngestRequest Request(string path, DateTimeOffset at) => new() { Path = path, BaseDirectory = "/", SourceSystem = "import", At = at };

    private static async Task ShouldMatchAsync(EngineHarness harness)
    {
        await using var c = await harness.OpenAsync();
        await RollupState.ShouldMatchFactsAsync(c, harness.Schema);
    }

    private static string Write(string path, params string[] lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }
}
