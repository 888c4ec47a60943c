using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Anthropic Messages: input_tokens EXCLUDES the cache, so canonical input = input_tokens +
/// cache_read_input_tokens + cache_creation_input_tokens; cache_creation.ephemeral_1h_input_tokens is the 1-hour
/// part of the writes; output_tokens INCLUDES thinking (output_tokens_details.thinking_tokens). Streams:
/// message_start carries the input side, message_delta carries cumulative values that overwrite, message_stop ends.
/// </summary>
public sealed class AnthropicMessagesMapper : UsageMapper
{
    public override string Route => "anthropic.messages";
    public override string Provider => "anthropic";
    public override bool StreamEventsCarryId => false; // message_delta and message_stop carry no message id

    /// <summary>message_start's output_tokens counts the first token or so, not the response.</summary>
    public override void DropProvisional(JsonObject startUsage)
    {
        startUsage.Remove("output_tokens");
        startUsage.Remove("output_tokens_details");
    }

    public override Observation Observe(JsonElement payload)
    {
        switch (Json.String(payload, "type"))
        {
            case "message":
                return new Observation(ObservationKind.Complete, Json.Object(payload, "usage") ?? throw new UsageFormatException("the message has no usage object"),
                    Json.String(payload, "model"), Json.String(payload, "id"));
            case "message_start":
                var message = Json.Object(payload, "message") ?? throw new UsageFormatException("message_start has no message");
                return new Observation(ObservationKind.StreamStart, Json.Object(message, "usage"), Json.String(message, "model"), Json.String(message, "id"));
            case "message_delta":
                return new Observation(ObservationKind.StreamUpdate, Json.Object(payload, "usage"));
            case "message_stop":
                return new Observation(ObservationKind.StreamEnd);
            case null:
                return new Observation(ObservationKind.Complete, Json.Object(payload, "usage") ?? payload); // a bare usage object
            default:
                return new Observation(ObservationKind.Noise); // ping, content_block_*, error
        }
    }

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        if (!Json.Has(usage, "input_tokens") && !Json.Has(usage, "output_tokens"))
            throw new UsageFormatException("usage has neither input_tokens nor output_tokens");
        var uncached = Json.Count(usage, "input_tokens");
        var read = Json.Count(usage, "cache_read_input_tokens");
        var ttl = Json.Object(usage, "cache_creation");
        long? fiveMinutes = ttl is { } t5 ? Json.Count(t5, "ephemeral_5m_input_tokens") : null;
        long? oneHour = ttl is { } t1 ? Json.Count(t1, "ephemeral_1h_input_tokens") : null;
        var write = Json.Count(usage, "cache_creation_input_tokens")
            ?? (fiveMinutes is null && oneHour is null ? null : (fiveMinutes ?? 0) + (oneHour ?? 0));
        return new UsageTelemetry
        {
            InputTokens = uncached is null ? null : uncached + (read ?? 0) + (write ?? 0),
            CachedReadTokens = read,
            CachedWriteTokens = write,
            CachedWrite1hTokens = oneHour,
            OutputTokens = Json.Count(usage, "output_tokens"),
            ReasoningTokens = Json.Count(usage, "output_tokens_details", "thinking_tokens"),
            RequestCount = 1,
        };
    }
}
