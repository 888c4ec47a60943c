using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>Every route that can see a call's own id delivers it as call_id, for complete payloads and streams alike,
/// and one call reached through two doors has one id.</summary>
public sealed class CallIdTests
{
    private static (string? CallId, string? Provider) One(string payload)
    {
        var output = NormalizedOutput.Run(payload);
        output.Rejections.ShouldBeEmpty();
        var record = output.Records.ShouldHaveSingleItem();
        return ((string?)record["call_id"], (string?)record["provider"]);
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-CaB1cD2eF3gH4iJ5","object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""", "chatcmpl-CaB1cD2eF3gH4iJ5", "openai")]
    [InlineData("""{"id":"resp_68af1c2b3d4e5f60718293a4b5c6d7e8","object":"response","created_at":1763640000,"model":"gpt-5","usage":{"input_tokens":10,"output_tokens":2,"total_tokens":12}}""", "resp_68af1c2b3d4e5f60718293a4b5c6d7e8", "openai")]
    [InlineData("""{"candidates":[{"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2},"modelVersion":"gemini-2.5-pro","responseId":"q3RxaKfKBoyV1dkP5rWr4Qc"}""", "q3RxaKfKBoyV1dkP5rWr4Qc", "google")]
    [InlineData("""{"id":"gen-1763640000-Qw3eR5tY7uI9oP1aS2dF","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"cost":0.0001}}""", "gen-1763640000-Qw3eR5tY7uI9oP1aS2dF", "openrouter")]
    [InlineData("""{"id":"3c1f0e2a-7b6d-4c5e-9a8b-1d2e3f4a5b6c","object":"chat.completion","model":"grok-4","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"cost_in_usd_ticks":1000}}""", "3c1f0e2a-7b6d-4c5e-9a8b-1d2e3f4a5b6c", "xai")]
    [InlineData("""{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","model":"mistral-large-latest","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2}}""", "cmpl-e5cc70bb28c444948073e77776eb30ef", "mistral")]
    [InlineData("""{"id":"930c60df-bf64-41c9-a88e-3ec75f81e00e","object":"chat.completion","model":"deepseek-chat","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":10}}""", "930c60df-bf64-41c9-a88e-3ec75f81e00e", "deepseek")]
    [InlineData("""{"id":"chatcmpl-6811b4c4e0a1bd2fc5b3a2f1","object":"chat.completion","model":"kimi-k2","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"cached_tokens":0}}""", "chatcmpl-6811b4c4e0a1bd2fc5b3a2f1", "moonshot")]
    public void Complete_payloads_carry_their_response_id(string payload, string id, string provider) =>
        One(payload).ShouldBe((id, provider));

    [Fact]
    public void A_claude_code_line_and_the_api_response_of_the_same_message_have_one_identity()
    {
        var api = One("""{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-opus-4-8","content":[],"usage":{"input_tokens":4,"cache_read_input_tokens":18000,"output_tokens":388}}""");
        var log = One("""{"parentUuid":"p-1","isSidechain":false,"sessionId":"7c1e","version":"2.1.140","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","model":"claude-opus-4-8","usage":{"input_tokens":4,"cache_read_input_tokens":18000,"output_tokens":388}},"requestId":"req_011CSHa1","type":"assistant","uuid":"a-1","timestamp":"2026-08-21T09:00:07.455Z"}""");
        log.ShouldBe(api);
        api.ShouldBe(("msg_01XFDUDYJgAACzvnptvVoYEL", "anthropic"));
    }

    [Theory]
    [InlineData("anthropic.messages/streaming-sse.jsonl", "msg_s")]
    [InlineData("openai.chat/streaming-include-usage.jsonl", "chatcmpl-s1")]
    [InlineData("openai.responses/streaming.jsonl", "resp_3")]
    [InlineData("gemini.generate_content/streaming.jsonl", "st1")]
    public void Streams_carry_the_id_of_their_response(string fixture, string id)
    {
        using var input = File.OpenRead(Fixtures.Path("usage", fixture));
        NormalizedOutput.Run(input).Usages.ShouldHaveSingleItem().CallId.ShouldBe(id);
    }

    [Fact]
    public void Responses_and_gemini_streams_with_real_ids_carry_them()
    {
        var responses = NormalizedOutput.Run("""
            {"type":"response.created","sequence_number":0,"response":{"id":"resp_68af1c2b3d4e5f607","object":"response","created_at":1763640000,"model":"o3","status":"in_progress","usage":null}}
            {"type":"response.completed","sequence_number":2,"response":{"id":"resp_68af1c2b3d4e5f607","object":"response","created_at":1763640000,"model":"o3","status":"completed","usage":{"input_tokens":900,"output_tokens":100,"total_tokens":1000}}}
            """);
        responses.Usages.ShouldHaveSingleItem().CallId.ShouldBe("resp_68af1c2b3d4e5f607");
        var gemini = NormalizedOutput.Run("""
            {"candidates":[{"content":{"parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":5},"modelVersion":"gemini-2.5-pro","responseId":"q3RxaKfKBoyV1dkP5rWr4Qc"}
            {"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":30},"modelVersion":"gemini-2.5-pro","responseId":"q3RxaKfKBoyV1dkP5rWr4Qc"}
            """);
        gemini.Usages.ShouldHaveSingleItem().CallId.ShouldBe("q3RxaKfKBoyV1dkP5rWr4Qc");
    }

    [Theory]
    [InlineData("chatcmpl-123")]
    [InlineData("cmpl-7")]
    [InlineData("")]
    [InlineData(" ")]
    public void An_id_drawn_from_a_few_values_is_no_identity(string id)
    {
        // Ollama's OpenAI-compatible endpoint names every response chatcmpl-<0..998>: the call is then identified by
        // its content.
        One("""{"id":"ID","object":"chat.completion","model":"llama3.2","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""".Replace("ID", id, StringComparison.Ordinal)).CallId.ShouldBeNull();
    }
}
