using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>xAI Grok: reasoning is NOT inside completion_tokens (total = prompt + completion + reasoning), so the
/// canonical output adds it; cost_in_usd_ticks are 1e-10 USD.</summary>
public sealed class XaiMapper : OpenAiChatMapper
{
    private const decimal TicksPerUsd = 10_000_000_000m;

    public override string Route => "xai.chat";
    public override string Provider => "xai";

    protected override long? Output(JsonElement usage)
    {
        var completion = Json.Count(usage, "completion_tokens");
        var reasoning = Json.Count(usage, "completion_tokens_details", "reasoning_tokens");
        return completion is null ? null : completion + (reasoning ?? 0);
    }

    protected override decimal? Cost(JsonElement usage) => Json.Number(usage, "cost_in_usd_ticks") / TicksPerUsd;
}
