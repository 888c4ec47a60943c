using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// OpenAI Chat Completions and every server that copies its shape (vLLM, llama.cpp, Ollama's /v1, LiteLLM):
/// prompt_tokens INCLUDES cached and cache-write tokens; completion_tokens INCLUDES reasoning. Streams carry usage
/// only on the final chunk (stream_options.include_usage). Subclasses adjust for provider quirks.
/// </summary>
public class OpenAiChatMapper : UsageMapper
{
    public override string Route => "openai.chat";
    public override string Provider => "openai";
    public sealed override string Family => "openai.chat-compatible";

    public override Observation Observe(JsonElement payload)
    {
        var model = Json.String(payload, "model");
        var id = Json.String(payload, "id");
        var at = LogTime.ReadUnlessZero(payload, "created");
        if (Json.String(payload, "object") == "chat.completion.chunk")
        {
            var usage = UsageOf(payload);
            return usage is null
                ? new Observation(ObservationKind.StreamUpdate, null, model, id, at)
                : new Observation(ObservationKind.StreamEnd, usage, model, id, at);
        }
        if (Json.Has(payload, "choices") || Json.Has(payload, "object"))
            return new Observation(ObservationKind.Complete, UsageOf(payload) ?? Missing(), model, id, at);
        return new Observation(ObservationKind.Complete, Json.Object(payload, "usage") ?? payload); // a bare usage object
    }

    /// <summary>The usage object of a response or chunk; Moonshot streams put it in choices[0].usage.</summary>
    protected static JsonElement? UsageOf(JsonElement payload)
    {
        if (Json.Object(payload, "usage") is { } usage) return usage;
        if (payload.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && Json.Object(choices[0], "usage") is { } inChoice) return inChoice;
        return null;
    }

    protected static JsonElement Missing() => throw new UsageFormatException("the response has no usage object");

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        if (!Json.Has(usage, "prompt_tokens") && !Json.Has(usage, "completion_tokens"))
            throw new UsageFormatException("usage has neither prompt_tokens nor completion_tokens");
        var details = Json.Object(usage, "prompt_tokens_details");
        var misspelt = Json.Object(usage, "prompt_token_details");
        return new UsageTelemetry
        {
            InputTokens = Json.Count(usage, "prompt_tokens"),
            CachedReadTokens = CachedRead(usage, details, misspelt),
            CachedWriteTokens = details is { } d ? Json.Count(d, "cache_write_tokens") : null,
            OutputTokens = Output(usage),
            ReasoningTokens = Json.Count(usage, "completion_tokens_details", "reasoning_tokens"),
            RequestCount = 1,
            ProviderCostUsd = Cost(usage),
        };
    }

    protected virtual long? CachedRead(JsonElement usage, JsonElement? details, JsonElement? misspelt) =>
        details is { } d ? Json.Count(d, "cached_tokens") : null;

    protected virtual long? Output(JsonElement usage) => Json.Count(usage, "completion_tokens");

    protected virtual decimal? Cost(JsonElement usage) => null;
}
