using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// OpenRouter's key endpoint (GET /api/v1/key): a credit budget, not a call — data.usage of data.limit USD
/// (limit null = unlimited), resetting per data.limit_reset. Read as a meter only.
/// </summary>
public sealed class OpenRouterKeyMapper : UsageMapper
{
    public override string Route => "openrouter.key";
    public override string Provider => "openrouter";

    public override Observation Observe(JsonElement payload)
    {
        var data = Json.Object(payload, "data") ?? payload;
        var used = Json.Number(data, "usage");
        var limit = Json.Number(data, "limit");
        var meter = new UsageMeter
        {
            Meter = "openrouter.key",
            Plan = Json.String(data, "limit_reset"),
            Used = used,
            LimitValue = limit,
            UsedPercent = used is { } u && limit is > 0 ? Math.Round(u / limit.Value * 100m, 4) : null,
            Unit = "usd",
            Raw = data.GetRawText(),
        };
        return new Observation(ObservationKind.MetersOnly, Meters: [meter]);
    }

    public override UsageTelemetry MapUsage(JsonElement usage) => throw new UsageFormatException("the key endpoint reports a budget, not call usage");
}
