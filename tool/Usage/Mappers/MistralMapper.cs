using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>Mistral: OpenAI-like; cached tokens may come as prompt_tokens_details.cached_tokens, the misspelt
/// prompt_token_details, or num_cached_tokens.</summary>
public sealed class MistralMapper : OpenAiChatMapper
{
    public override string Route => "mistral.chat";
    public override string Provider => "mistral";

    protected override long? CachedRead(JsonElement usage, JsonElement? details, JsonElement? misspelt) =>
        base.CachedRead(usage, details, misspelt)
        ?? (misspelt is { } m ? Json.Count(m, "cached_tokens") : null)
        ?? Json.Count(usage, "num_cached_tokens");
}
