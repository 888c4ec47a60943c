using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// OpenRouter: OpenAI shape plus usage.cost in credits (1 credit = 1 USD). With bring-your-own-key the provider's
/// own charge is cost_details.upstream_inference_cost and usage.cost is OpenRouter's fee: the call cost both.
/// </summary>
public sealed class OpenRouterMapper : OpenAiChatMapper
{
    public override string Route => "openrouter.chat";
    public override string Provider => "openrouter";

    protected override decimal? Cost(JsonElement usage)
    {
        var cost = Json.Number(usage, "cost");
        var upstream = Json.Object(usage, "cost_details") is { } details ? Json.Number(details, "upstream_inference_cost") : null;
        if (cost is null && upstream is null) return null;
        return (cost ?? 0) + (upstream ?? 0);
    }
}
