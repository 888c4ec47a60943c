using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// AWS Bedrock Converse / ConverseStream: inputTokens EXCLUDES the cache (canonical input adds cacheReadInputTokens
/// and cacheWriteInputTokens); cacheDetails[] splits writes by TTL; reasoning is inside outputTokens with no
/// breakdown. Streams: the metadata event carries usage and metrics.latencyMs.
/// </summary>
public sealed class BedrockConverseMapper : UsageMapper
{
    public override string Route => "bedrock.converse";
    public override string Provider => "bedrock";
    public override bool StreamEventsCarryId => false;

    public override Observation Observe(JsonElement payload)
    {
        if (Json.Has(payload, "inputTokens") || Json.Has(payload, "outputTokens")) return new Observation(ObservationKind.Complete, payload);
        if (Json.Object(payload, "metadata") is { } metadata) return new Observation(ObservationKind.StreamEnd, metadata);
        if (Json.Has(payload, "messageStart")) return new Observation(ObservationKind.StreamStart);
        if (Json.Has(payload, "usage")) return new Observation(ObservationKind.Complete, payload);
        return new Observation(ObservationKind.Noise); // contentBlockStart/Delta/Stop, messageStop
    }

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        // The element is a bare usage object, or an object with usage (+ metrics): a Converse response or a metadata event.
        var holder = usage;
        usage = Json.Object(holder, "usage") ?? holder;
        if (!Json.Has(usage, "inputTokens") && !Json.Has(usage, "outputTokens"))
            throw new UsageFormatException("usage has neither inputTokens nor outputTokens");
        var uncached = Json.Count(usage, "inputTokens");
        var read = Json.Count(usage, "cacheReadInputTokens");
        var write = Json.Count(usage, "cacheWriteInputTokens");
        long? oneHour = null;
        if (usage.TryGetProperty("cacheDetails", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            oneHour = 0;
            foreach (var detail in details.EnumerateArray())
                if (Json.String(detail, "ttl") == "1h") oneHour += Json.Count(detail, "inputTokens") ?? 0;
        }
        var latency = Json.Object(holder, "metrics") is { } metrics ? Json.Number(metrics, "latencyMs") : null;
        return new UsageTelemetry
        {
            InputTokens = uncached is null ? null : uncached + (read ?? 0) + (write ?? 0),
            CachedReadTokens = read,
            CachedWriteTokens = write,
            CachedWrite1hTokens = oneHour,
            OutputTokens = Json.Count(usage, "outputTokens"),
            ReasoningTokens = null,
            RequestCount = 1,
            DurationMs = (double?)latency,
        };
    }
}
