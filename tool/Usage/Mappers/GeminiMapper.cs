using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Google Gemini API and Vertex AI generateContent usageMetadata: cachedContentTokenCount is INSIDE
/// promptTokenCount; thoughtsTokenCount is OUTSIDE candidatesTokenCount (canonical output adds it); tool-use
/// prompt tokens are extra input. The JSON omits zero-valued counters (proto3), so beside a present
/// promptTokenCount an absent counter is 0. No cache-write counter. Streams: every chunk repeats cumulative
/// usageMetadata; the chunk with a finishReason ends it.
/// </summary>
public sealed class GeminiMapper : UsageMapper
{
    public override string Route => "gemini.generate_content";
    public override string Provider => "google";

    public override Observation Observe(JsonElement payload)
    {
        if (Json.Has(payload, "promptTokenCount") || Json.Has(payload, "candidatesTokenCount"))
            return new Observation(ObservationKind.Complete, payload); // a bare usageMetadata
        var usage = Json.Object(payload, "usageMetadata");
        var model = Json.String(payload, "modelVersion");
        var id = Json.String(payload, "responseId");
        var at = Json.Timestamp(payload, "createTime");
        var finished = payload.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array
            && candidates.EnumerateArray().Any(c => Json.Has(c, "finishReason"));
        return new Observation(finished ? ObservationKind.StreamEnd : ObservationKind.StreamUpdate, usage, model, id, at);
    }

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        if (!Json.Has(usage, "promptTokenCount") && !Json.Has(usage, "candidatesTokenCount"))
            throw new UsageFormatException("usageMetadata has neither promptTokenCount nor candidatesTokenCount");
        var prompt = Json.Count(usage, "promptTokenCount");
        var reported = prompt is not null;
        long? ZeroIfAbsent(string name) => Json.Count(usage, name) ?? (reported ? 0 : null);
        var candidates = ZeroIfAbsent("candidatesTokenCount");
        var thoughts = ZeroIfAbsent("thoughtsTokenCount");
        return new UsageTelemetry
        {
            InputTokens = prompt is null ? null : prompt + (Json.Count(usage, "toolUsePromptTokenCount") ?? 0),
            CachedReadTokens = ZeroIfAbsent("cachedContentTokenCount"),
            CachedWriteTokens = null,
            OutputTokens = candidates is null ? null : candidates + (thoughts ?? 0),
            ReasoningTokens = thoughts,
            RequestCount = 1,
        };
    }
}
