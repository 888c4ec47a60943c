using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>DeepSeek: prompt_cache_hit_tokens + prompt_cache_miss_tokens = prompt_tokens; no cache-write counter.</summary>
public sealed class DeepSeekMapper : OpenAiChatMapper
{
    public override string Route => "deepseek.chat";
    public override string Provider => "deepseek";

    protected override long? CachedRead(JsonElement usage, JsonElement? details, JsonElement? misspelt) =>
        Json.Count(usage, "prompt_cache_hit_tokens") ?? base.CachedRead(usage, details, misspelt);

    public override UsageTelemetry MapUsage(JsonElement usage) => base.MapUsage(usage) with { CachedWriteTokens = null };
}
