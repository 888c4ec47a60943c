using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>Log lines that wrap a response: the payload is unwrapped, and the envelope's time, request id and model
/// stand in where the payload has none of its own (docs/providers.md, "Log envelopes").</summary>
public sealed class LogEnvelopeTests
{
    private const string Message = """{"type":"message","id":"msg_01EnvAbCdEfGhIjKlMnOp","model":"claude-sonnet-4-5","usage":{"input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":50}}""";
    private const string Converse = """{"output":{"message":{"role":"assistant","content":[]}},"stopReason":"end_turn","usage":{"inputTokens":40,"outputTokens":9}}""";

    private static (string? At, string? CallId, string? Model, long? Input) One(string line)
    {
        var output = NormalizedOutput.Run(line);
        output.Rejections.ShouldBeEmpty();
        var record = output.Records.ShouldHaveSingleItem();
        return ((string?)record["observed_at"], (string?)record["call_id"], (string?)record["model"], (long?)record["input_tokens"]);
    }

    [Fact]
    public void A_wrapped_response_takes_the_envelope_time_and_keeps_its_own_id()
    {
        One($$"""{"timestamp":"2026-11-20T13:05:00Z","request_id":"req_011CVxyz123456","response":{{Message}}}""")
            .ShouldBe(("2026-11-20T13:05:00Z", "msg_01EnvAbCdEfGhIjKlMnOp", "claude-sonnet-4-5", 1100L));
    }

    [Fact]
    public void A_payload_without_id_or_model_takes_the_envelope_request_id_and_model()
    {
        One($$"""{"ts":1763643900,"requestId":"5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","model":"anthropic.claude-sonnet-4-5-v1:0","body":{{Converse}}}""")
            .ShouldBe(("2025-11-20T13:05:00Z", "5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "anthropic.claude-sonnet-4-5-v1:0", 40L));
    }

    [Theory]
    [InlineData("\"time\":1763643900123", "2025-11-20T13:05:00.123Z")]
    [InlineData("\"created_at\":\"1763643900\"", "2025-11-20T13:05:00Z")]
    [InlineData("\"@timestamp\":\"2025-11-20 14:05:00+01:00\"", "2025-11-20T13:05:00Z")]
    [InlineData("\"startTime\":\"2025-11-20 13:05:00.5\"", "2025-11-20T13:05:00.5Z")]
    [InlineData("\"timestamp\":\"2025-11-20T13:05:00Z\",\"startTime\":\"2020-01-01T00:00:00Z\"", "2025-11-20T13:05:00Z")]
    [InlineData("\"time\":0.53,\"created_at\":\"2025-11-20T13:05:00Z\"", "2025-11-20T13:05:00Z")]
    public void Envelope_times_are_iso_8601_or_epoch_and_the_first_listed_key_wins(string field, string expected)
    {
        One($$"""{{{field}},"response":{{Message}}}""").At.ShouldBe(expected);
    }

    [Fact]
    public void A_time_without_a_date_is_not_a_time_and_rejects_its_line()
    {
        var output = NormalizedOutput.Run($$"""{"timestamp":"13:05:00","response":{{Message}}}""" + "\n" + Message);
        output.Rejections.ShouldBe(["line 1: anthropic.messages: timestamp \"13:05:00\" is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)"]);
        output.Records.ShouldHaveSingleItem()["line"]!.GetValue<long>().ShouldBe(2);
    }

    [Fact]
    public void A_duration_under_a_time_key_is_not_a_time()
    {
        NormalizedOutput.Run($$"""{"time":0.53,"response":{{Message}}}""").Rejections
            .ShouldBe(["line 1: anthropic.messages: time 0.53 is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)"]);
    }

    [Fact]
    public void The_payloads_own_time_wins_over_the_envelope()
    {
        One("""{"timestamp":"2026-01-01T00:00:00Z","response":{"id":"chatcmpl-Own1aB2cD3eF","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}}""")
            .At.ShouldBe("2025-11-20T12:00:00Z");
    }

    [Fact]
    public void A_response_logged_as_json_text_is_read()
    {
        var escaped = Message.Replace("\"", "\\\"", StringComparison.Ordinal);
        One($$"""{"logged_at":"2025-11-20T13:05:00Z","response_body":"{{escaped}}"}""").Input.ShouldBe(1100);
    }

    [Fact]
    public void An_envelope_without_a_time_leaves_it_null()
    {
        One($$"""{"request_id":"req_011CVnotime0001","response":{{Message}}}""").At.ShouldBeNull();
    }

    [Fact]
    public void LiteLlm_spend_log_rows_give_their_response_else_their_usage_object_else_their_own_counts()
    {
        const string row = """{"request_id":"chatcmpl-5b2e8a4c-1d3f-4e6a-9b8c-7d6e5f4a3b2c","call_type":"acompletion","spend":0.00012,"startTime":"2025-11-20T13:05:00.611000Z","endTime":"2025-11-20T13:05:02.100000Z","model":"claude-sonnet-4-5","custom_llm_provider":"anthropic","prompt_tokens":1100,"completion_tokens":50,"total_tokens":1150""";
        var withResponse = NormalizedOutput.Run(row + ""","metadata":{},"response":{"id":"chatcmpl-RspAbCdEf012","object":"chat.completion","created":1763643901,"model":"claude-sonnet-4-5-20250929","choices":[],"usage":{"prompt_tokens":1100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":1000}}}}""").Records.ShouldHaveSingleItem();
        ((string?)withResponse["call_id"], (long?)withResponse["cached_read_tokens"], (string?)withResponse["provider"], (string?)withResponse["observed_at"])
            .ShouldBe(("chatcmpl-RspAbCdEf012", 1000L, "anthropic", "2025-11-20T13:05:01Z"));
        var withUsageObject = NormalizedOutput.Run(row + ""","response":{},"metadata":{"usage_object":{"prompt_tokens":1100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":1000}}}}""").Records.ShouldHaveSingleItem();
        ((string?)withUsageObject["call_id"], (long?)withUsageObject["cached_read_tokens"], (string?)withUsageObject["model"], (string?)withUsageObject["observed_at"])
            .ShouldBe(("chatcmpl-5b2e8a4c-1d3f-4e6a-9b8c-7d6e5f4a3b2c", 1000L, "claude-sonnet-4-5", "2025-11-20T13:05:00.611Z"));
        var countsOnly = NormalizedOutput.Run(row + "}").Records.ShouldHaveSingleItem();
        ((long?)countsOnly["input_tokens"], (long?)countsOnly["cached_read_tokens"], (string?)countsOnly["model"], (string?)countsOnly["provider"])
            .ShouldBe((1100L, null, "claude-sonnet-4-5", "anthropic"));
    }
}
