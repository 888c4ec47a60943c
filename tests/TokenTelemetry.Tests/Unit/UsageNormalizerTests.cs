using System.Text;
using Shouldly;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class UsageNormalizerTests
{
    private const string GoodLine = """{"object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""";

    [Fact]
    public void A_10_MB_line_is_rejected_by_number_and_the_lines_around_it_still_count()
    {
        var huge = "{\"object\":\"chat.completion\",\"pad\":\"" + new string('x', 10 * 1024 * 1024) + "\"}";
        var output = NormalizedOutput.Run($"{GoodLine}\n{huge}\n{GoodLine}\n");
        output.Rejections.ShouldBe(["line 2: the line is longer than 1024 KiB"]);
        output.Records.Select(r => (long)r["line"]!).ShouldBe([1L, 3L]);
    }

    [Fact]
    public void Binary_garbage_is_rejected_not_thrown()
    {
        var bytes = new byte[] { 0x00, 0xFF, 0xFE, 0x7B, 0x22, 0x80, 0x0A }.Concat(Encoding.UTF8.GetBytes(GoodLine + "\n")).ToArray();
        var output = NormalizedOutput.Run(new MemoryStream(bytes));
        output.Rejections.ShouldHaveSingleItem().ShouldStartWith("line 1: not valid JSON (");
        output.Records.ShouldHaveSingleItem()["line"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public void A_missing_final_newline_and_crlf_line_ends_are_fine()
    {
        var output = NormalizedOutput.Run($"{GoodLine}\r\n\r\n{GoodLine}");
        output.Rejections.ShouldBeEmpty();
        output.Records.Select(r => (long)r["line"]!).ShouldBe([1L, 3L]);
    }

    [Fact]
    public void A_forced_format_maps_a_bare_usage_object_the_way_it_is_told()
    {
        // The same bare object means different totals under the two conventions: Anthropic adds the cache to input.
        const string bare = """{"input_tokens":100,"cache_read_input_tokens":50,"output_tokens":10}""";
        NormalizedOutput.Run(bare, "anthropic.messages").Usages.ShouldHaveSingleItem().InputTokens.ShouldBe(150);
        var responses = NormalizedOutput.Run(bare, "openai.responses").Usages.ShouldHaveSingleItem();
        responses.InputTokens.ShouldBe(100);
        responses.CachedReadTokens.ShouldBeNull();
    }

    [Fact]
    public void An_unknown_format_is_an_error_listing_the_formats()
    {
        Should.Throw<TelemetryException>(() => NormalizedOutput.Run(GoodLine, "openai"))
            .Hint!.ShouldStartWith("formats: auto, openai.chat, openai.responses, anthropic.messages,");
    }

    [Fact]
    public void A_json_array_of_payloads_is_one_record_per_item()
    {
        var output = NormalizedOutput.Run($"[{GoodLine},{GoodLine}]");
        output.Usages.Count.ShouldBe(2);
        output.Rejections.ShouldBeEmpty();
    }

    [Fact]
    public void An_end_marker_alone_is_not_a_call()
    {
        // A message_stop whose stream is not in the input carries nothing: it was a phantom NULL-metrics call.
        var output = NormalizedOutput.Run("{\"type\":\"message_stop\"}\n{\"type\":\"message_stop\"}\n");
        output.Records.ShouldBeEmpty();
        output.Rejections.ShouldBeEmpty();
    }

    [Fact]
    public void A_final_chunk_logged_alone_is_one_call()
    {
        var output = NormalizedOutput.Run("""
            {"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":30},"modelVersion":"gemini-2.5-pro","responseId":"q3RxaKfKBoyV1dkP5rWr4Qc"}
            {"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":200,"candidatesTokenCount":40},"modelVersion":"gemini-2.5-pro","responseId":"r4SybLgLCpzW2elQ6sXs5Rd"}
            """);
        output.Usages.Select(u => (u.CallId, u.InputTokens, u.OutputTokens)).ShouldBe([("q3RxaKfKBoyV1dkP5rWr4Qc", 100L, 30L), ("r4SybLgLCpzW2elQ6sXs5Rd", 200L, 40L)]);
    }
}
