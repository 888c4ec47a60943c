using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// OpenAI Responses API: input_tokens INCLUDES input_tokens_details.cached_tokens and cache_write_tokens;
/// output_tokens INCLUDES output_tokens_details.reasoning_tokens. Streams: the terminal response.completed /
/// response.incomplete / response.failed event carries the whole Response with its usage.
/// </summary>
public sealed class OpenAiResponsesMapper : UsageMapper
{
    public override string Route => "openai.responses";
    public override string Provider => "openai";

    public override Observation Observe(JsonElement payload)
    {
        var type = Json.String(payload, "type");
        if (type is null)
        {
            if (Json.String(payload, "object") == "response") return FromResponse(payload, ObservationKind.Complete);
            return new Observation(ObservationKind.Complete, Json.Object(payload, "usage") ?? payload); // a bare usage object
        }
        if (Json.Object(payload, "response") is not { } response) return new Observation(ObservationKind.Noise);
        return type switch
        {
            "response.created" => FromResponse(response, ObservationKind.StreamStart),
            "response.completed" or "response.incomplete" or "response.failed" => FromResponse(response, ObservationKind.StreamEnd),
            _ => FromResponse(response, ObservationKind.StreamUpdate),
        };
    }

    private static Observation FromResponse(JsonElement response, ObservationKind kind) =>
        new(kind, Json.Object(response, "usage"), Json.String(response, "model"), Json.String(response, "id"), LogTime.ReadUnlessZero(response, "created_at"));

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        if (!Json.Has(usage, "input_tokens") && !Json.Has(usage, "output_tokens"))
            throw new UsageFormatException("usage has neither input_tokens nor output_tokens");
        return new UsageTelemetry
        {
            InputTokens = Json.Count(usage, "input_tokens"),
            CachedReadTokens = Json.Count(usage, "input_tokens_details", "cached_tokens"),
            CachedWriteTokens = Json.Count(usage, "input_tokens_details", "cache_write_tokens"),
            OutputTokens = Json.Count(usage, "output_tokens"),
            ReasoningTokens = Json.Count(usage, "output_tokens_details", "reasoning_tokens"),
            RequestCount = 1,
        };
    }
}
