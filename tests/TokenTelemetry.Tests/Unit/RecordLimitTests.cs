using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>A record the database would refuse (or that no real call produces) is rejected alone, with its line; the
/// lines around it still count (docs/schema.md lists the bounds: UsageLimits).</summary>
public sealed class RecordLimitTests
{
    private const string Good = """{"id":"chatcmpl-Gd1aB2cD3eF4","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""";

    [Theory]
    [InlineData("""{"id":"chatcmpl-Hg1","object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9000000000000000,"completion_tokens":1}}""",
        "openai.chat: input_tokens 9000000000000000 is beyond the maximum of 1,000,000,000,000 per record")]
    [InlineData("""{"type":"message","id":"msg_01Hg","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"cache_read_input_tokens":1000000000000,"output_tokens":3}}""",
        "anthropic.messages: input_tokens 1000000000010 is beyond the maximum of 1,000,000,000,000 per record")]
    [InlineData("""{"id":"gen-1763640000-Hg","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1,"cost":1000000000}}""",
        "openrouter.chat: cost_usd 1000000000 is beyond the column's limit (below 1e9 USD)")]
    [InlineData("""{"id":"gen-1763640000-Hh","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1,"cost":-0.5}}""",
        "openrouter.chat: cost_usd -0.5 is negative")]
    [InlineData("""{"id":"x-Hg","object":"chat.completion","model":"grok-4","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1,"cost_in_usd_ticks":10000000000000000000}}""",
        "xai.chat: cost_usd 1000000000 is beyond the column's limit (below 1e9 USD)")]
    [InlineData("""{"id":"chatcmpl-Hi","object":"chat.completion","model":"gpt-4o\u0000evil","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""",
        "openai.chat: model contains a control character (U+0000)")]
    [InlineData("""{"type":"assistant","timestamp":"2026-08-20T02:40:21.204Z","sessionId":"5b1d","message":{"id":"msg_01Hj","model":"claude-opus-4-8\nDROP","usage":{"input_tokens":3,"output_tokens":2}}}""",
        "claude_code.log: model contains a control character (U+000A)")]
    public void A_record_beyond_a_bound_is_rejected_alone(string bad, string reason)
    {
        var output = NormalizedOutput.Run($"{Good}\n{bad}\n{Good}\n");
        output.Rejections.ShouldBe([$"line 2: {reason}"]);
        output.Records.Select(r => (long)r["line"]!).ShouldBe([1L, 3L]);
    }

    [Fact]
    public void An_absurdly_long_model_name_is_rejected()
    {
        var model = new string('m', 513);
        var output = NormalizedOutput.Run("""{"id":"chatcmpl-Hk","object":"chat.completion","model":"MODEL","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1}}""".Replace("MODEL", model, StringComparison.Ordinal));
        output.Rejections.ShouldBe(["line 1: openai.chat: model is 513 characters long (at most 512)"]);
    }

    [Fact]
    public void The_largest_allowed_count_passes()
    {
        var output = NormalizedOutput.Run("""{"id":"chatcmpl-Hl","object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1000000000000,"completion_tokens":1000000000000}}""");
        output.Rejections.ShouldBeEmpty();
        output.Usages.ShouldHaveSingleItem().InputTokens.ShouldBe(1_000_000_000_000);
    }
}
