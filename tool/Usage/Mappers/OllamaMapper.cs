using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Ollama native /api/chat and /api/generate: prompt_eval_count (prompt) and eval_count (generated, thinking
/// included) on the done:true response. No cache, reasoning breakdown or cost: those stay NULL. Fields are
/// omitempty, so an absent count is NULL, not 0. Durations are nanoseconds.
/// </summary>
public sealed class OllamaMapper : UsageMapper
{
    public override string Route => "ollama.native";
    public override string Provider => "ollama";
    public override bool StreamEventsCarryId => false;

    public override Observation Observe(JsonElement payload)
    {
        var model = Json.String(payload, "model");
        var at = Json.Timestamp(payload, "created_at");
        var done = payload.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
        if (!Json.Has(payload, "done")) return new Observation(ObservationKind.Complete, payload, model, null, at);
        return new Observation(done ? ObservationKind.StreamEnd : ObservationKind.StreamUpdate, done ? payload : null, model, null, at);
    }

    public override UsageTelemetry MapUsage(JsonElement usage)
    {
        var total = Json.Count(usage, "total_duration");
        return new UsageTelemetry
        {
            InputTokens = Json.Count(usage, "prompt_eval_count"),
            OutputTokens = Json.Count(usage, "eval_count"),
            RequestCount = 1,
            DurationMs = total / 1_000_000.0,
        };
    }
}
