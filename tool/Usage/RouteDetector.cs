using System.Text.Json;
using TokenTelemetry.Usage.Mappers;

namespace TokenTelemetry.Usage;

/// <summary>
/// Recognises a payload's route from its shape (--format auto): event types, object names, and which usage fields
/// it carries; for OpenAI-shaped chat payloads the provider-specific usage fields first, then the model name.
/// One detector per input: the Codex mapper it hands out remembers the model across lines. The Claude Code mapper's
/// message ids can be shared between detectors, so a response replayed in another session file counts once.
/// </summary>
public sealed class RouteDetector(HashSet<string>? claudeCodeMessageIds = null)
{
    private readonly OpenAiChatMapper _chat = new();
    private readonly DeepSeekMapper _deepSeek = new();
    private readonly OpenRouterMapper _openRouter = new();
    private readonly XaiMapper _xai = new();
    private readonly MistralMapper _mistral = new();
    private readonly MoonshotMapper _moonshot = new();
    private readonly LocalOpenAiCompatibleMapper _local = new();
    private readonly OpenAiResponsesMapper _responses = new();
    private readonly AnthropicMessagesMapper _anthropic = new();
    private readonly GeminiMapper _gemini = new();
    private readonly BedrockConverseMapper _bedrock = new();
    private readonly OllamaMapper _ollama = new();
    private readonly CodexLogMapper _codex = new();
    private readonly OpenRouterKeyMapper _openRouterKey = new();
    private readonly ClaudeCodeLogMapper _claudeCode = new(claudeCodeMessageIds);

    public IReadOnlyList<UsageMapper> All =>
        [_chat, _responses, _anthropic, _gemini, _deepSeek, _bedrock, _openRouter, _xai, _mistral, _moonshot, _ollama, _local, _codex, _openRouterKey, _claudeCode];

    public static IReadOnlyList<string> Formats { get; } = new RouteDetector().All.Select(m => m.Route).Prepend("auto").ToList();

    /// <summary>The mapper a --format name stands for; null for auto.</summary>
    public UsageMapper? Forced(string format) =>
        format == "auto" ? null
        : All.FirstOrDefault(m => m.Route == format)
          ?? throw new TelemetryException($"unknown format '{format}'", $"formats: {string.Join(", ", Formats)}");

    public UsageMapper? Detect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (Json.String(root, "type") is { } type)
        {
            switch (type)
            {
                case "message" or "message_start" or "message_delta" or "message_stop" or "ping"
                    or "content_block_start" or "content_block_delta" or "content_block_stop":
                    return _anthropic;
                case "event_msg" or "turn_context" or "session_meta" or "response_item" or "compacted":
                    return _codex;
            }
            if (type.StartsWith("response.", StringComparison.Ordinal)) return _responses;
            if (ClaudeCodeLogMapper.IsLogLine(root, type)) return _claudeCode;
        }
        switch (Json.String(root, "object"))
        {
            case "chat.completion" or "chat.completion.chunk": return Chat(root, OpenAiChatMapperUsage(root));
            case "response": return _responses;
        }
        if (Json.Has(root, "usageMetadata") || Json.Has(root, "candidates") || Json.Has(root, "promptTokenCount")) return _gemini;
        if (Json.Has(root, "inputTokens") || Json.Has(root, "messageStart") || Json.Has(root, "contentBlockDelta")
            || Json.Has(root, "contentBlockStart") || Json.Has(root, "contentBlockStop") || Json.Has(root, "messageStop")
            || (Json.Object(root, "metadata") is { } meta && Json.Has(meta, "usage"))
            || (Json.Object(root, "usage") is { } bedrockUsage && Json.Has(bedrockUsage, "inputTokens")))
            return _bedrock;
        if (Json.Has(root, "prompt_eval_count") || Json.Has(root, "eval_count")
            || (root.TryGetProperty("done", out var done) && done.ValueKind is JsonValueKind.True or JsonValueKind.False && Json.Has(root, "model")))
            return _ollama;
        if (Json.Object(root, "data") is { } data && (Json.Has(data, "limit_remaining") || Json.Has(data, "limit_reset")))
            return _openRouterKey;
        if (Json.Has(root, "choices")) return Chat(root, OpenAiChatMapperUsage(root));
        if (Json.Object(root, "usage") is { } usage) return ByUsageFields(root, usage);
        return ByUsageFields(root, root);
    }

    private UsageMapper? ByUsageFields(JsonElement root, JsonElement usage)
    {
        if (Json.Has(usage, "prompt_tokens") || Json.Has(usage, "completion_tokens")) return Chat(root, usage);
        if (Json.Has(usage, "input_tokens") || Json.Has(usage, "output_tokens"))
            return Json.Has(usage, "input_tokens_details") || Json.Has(usage, "output_tokens_details") || Json.Has(usage, "total_tokens")
                ? _responses : _anthropic;
        return null;
    }

    private static JsonElement? OpenAiChatMapperUsage(JsonElement root)
    {
        if (Json.Object(root, "usage") is { } usage) return usage;
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && Json.Object(choices[0], "usage") is { } inChoice) return inChoice;
        return null;
    }

    /// <summary>Which OpenAI-compatible provider: its own usage fields first, then the model name.</summary>
    private UsageMapper Chat(JsonElement root, JsonElement? usage)
    {
        if (usage is { } u)
        {
            if (Json.Has(u, "prompt_cache_hit_tokens") || Json.Has(u, "prompt_cache_miss_tokens")) return _deepSeek;
            if (Json.Has(u, "cost_in_usd_ticks") || Json.Has(u, "num_sources_used")) return _xai;
            if (Json.Has(u, "cost") || Json.Has(u, "is_byok") || Json.Has(u, "cost_details")) return _openRouter;
            if (Json.Has(u, "cached_tokens")) return _moonshot;
            if (Json.Has(u, "num_cached_tokens") || Json.Has(u, "prompt_audio_seconds") || Json.Has(u, "prompt_token_details")) return _mistral;
        }
        if (Json.Has(root, "timings")) return _local;
        if (Json.String(root, "provider") is not null) return _openRouter;
        var model = Json.String(root, "model") ?? "";
        if (model.StartsWith("deepseek", StringComparison.OrdinalIgnoreCase)) return _deepSeek;
        if (model.StartsWith("grok", StringComparison.OrdinalIgnoreCase)) return _xai;
        if (model.StartsWith("kimi", StringComparison.OrdinalIgnoreCase) || model.StartsWith("moonshot", StringComparison.OrdinalIgnoreCase)) return _moonshot;
        if (MistralPrefixes.Any(p => model.StartsWith(p, StringComparison.OrdinalIgnoreCase))) return _mistral;
        if (model.Contains('/')) return _local; // org/model ids are what vLLM and llama.cpp serve
        return _chat;
    }

    private static readonly string[] MistralPrefixes = ["mistral", "open-mistral", "codestral", "magistral", "ministral", "pixtral", "devstral"];
}
