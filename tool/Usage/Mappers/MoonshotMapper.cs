using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>Moonshot / Kimi: cache hits are a top-level usage.cached_tokens (inside prompt_tokens); streams put the
/// final usage in choices[0].usage.</summary>
public sealed class MoonshotMapper : OpenAiChatMapper
{
    public override string Route => "moonshot.chat";
    public override string Provider => "moonshot";

    protected override long? CachedRead(JsonElement usage, JsonElement? details, JsonElement? misspelt) =>
        Json.Count(usage, "cached_tokens") ?? base.CachedRead(usage, details, misspelt);
}
