using Shouldly;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Tests.Unit;

public sealed class ModelResolverTests
{
    private static readonly ModelResolver Resolver = new(PriceTableLoader.Bundled());

    [Theory]
    [InlineData("gpt-4o", null, "gpt-4o")]
    [InlineData("gpt-4o-mini", null, "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2099-01-01", null, "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-05-13", null, "gpt-4o-2024-05-13")]
    [InlineData("gpt-4o-2099-01-01", null, "gpt-4o")]
    [InlineData("gpt-5.4-mini", null, "gpt-5.4-mini")]
    [InlineData("gpt-5.4-mini-2099-01-01", null, "gpt-5.4-mini")]
    [InlineData("claude-sonnet-4-5-20250929", null, "claude-sonnet-4-5-20250929")]
    [InlineData("claude-sonnet-4-5-20251231", null, "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4.5", null, "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5[1m]", null, "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4@20250514", null, "claude-sonnet-4-20250514")]
    [InlineData("claude-sonnet-4@20250514", "vertex_ai", "vertex_ai/claude-sonnet-4@20250514")]
    [InlineData("models/gemini-2.5-flash", "google", "gemini/gemini-2.5-flash")]
    [InlineData("gemini-2.5-pro", null, "gemini-2.5-pro")]
    [InlineData("gemini-2.5-pro", "google", "gemini/gemini-2.5-pro")]
    [InlineData("gpt-4o", "azure", "azure/gpt-4o")]
    [InlineData("anthropic/claude-sonnet-4.5", "openrouter", "openrouter/anthropic/claude-sonnet-4.5")]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", null, "us.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    [InlineData("bedrock/us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0", null, "anthropic.claude-sonnet-4-5-20250929-v1:0")]
    [InlineData("apac.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0")]
    public void Resolves_to_the_right_entry(string model, string? provider, string expectedKey) =>
        Resolver.Resolve(model, provider)!.Key.ShouldBe(expectedKey);

    [Theory]
    [InlineData("gpt-5.9-mini")]
    [InlineData("gpt-4o-micro")]
    [InlineData("claude-sonnet-9")]
    [InlineData("my-finetune")]
    [InlineData("")]
    public void Never_prices_a_model_as_another_one(string model) => Resolver.Resolve(model).ShouldBeNull();
}
