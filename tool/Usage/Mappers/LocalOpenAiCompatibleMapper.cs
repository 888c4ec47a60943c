using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Local OpenAI-compatible servers (llama.cpp llama-server, vLLM): the OpenAI mapping, where cached_tokens exists
/// only when the server reports it (vLLM: --enable-prompt-tokens-details). llama.cpp's non-standard timings add
/// the duration (prompt_ms + predicted_ms).
/// </summary>
public sealed class LocalOpenAiCompatibleMapper : OpenAiChatMapper
{
    public override string Route => "openai_compatible.chat";
    public override string Provider => "local";

    public override Observation Observe(JsonElement payload)
    {
        var observation = base.Observe(payload);
        // Fold timings into the usage element so that it survives stream merging.
        return observation.Usage is { } usage && Json.Object(payload, "timings") is { } timings
            ? observation with { Usage = WithTimings(usage, timings) }
            : observation;
    }

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        var mapped = base.MapUsage(usage);
        if (Json.Object(usage, "timings") is not { } timings) return mapped;
        var prompt = Json.Number(timings, "prompt_ms");
        var predicted = Json.Number(timings, "predicted_ms");
        return mapped with { DurationMs = prompt is null && predicted is null ? null : (double)((prompt ?? 0) + (predicted ?? 0)) };
    }

    private static JsonElement WithTimings(JsonElement usage, JsonElement timings)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(usage.GetRawText())!.AsObject();
        node["timings"] = System.Text.Json.Nodes.JsonNode.Parse(timings.GetRawText());
        return JsonSerializer.SerializeToElement(node);
    }
}
