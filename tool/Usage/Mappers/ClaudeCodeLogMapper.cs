using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Claude Code session logs (~/.claude/projects/&lt;project&gt;/&lt;session&gt;.jsonl): usage sits on "assistant" lines in
/// message.usage with Anthropic Messages semantics (mapped by <see cref="AnthropicMessagesMapper"/>). One API response
/// is written as several lines — one per content block, early ones with an intermediate output_tokens — and resumed
/// sessions write earlier responses again. So lines are keyed by message.id: consecutive lines of one id merge as a
/// stream (the later values win), and an id seen before in this import is a replay and dropped. The other line
/// types (user, system, summary, progress, file-history-snapshot), API-error lines and the "&lt;synthetic&gt;" model are
/// not API calls. Legacy costUSD is Claude Code's own estimate, not a bill, and is not read.
/// </summary>
public sealed class ClaudeCodeLogMapper(HashSet<string>? seenMessageIds = null) : UsageMapper
{
    private static readonly AnthropicMessagesMapper Messages = new();
    private readonly HashSet<string> _seen = seenMessageIds ?? new HashSet<string>(StringComparer.Ordinal);
    private string? _current;

    public override string Route => "claude_code.log";
    public override string Provider => "anthropic";

    /// <summary>Line types of a Claude Code log; with a session id they identify the format.</summary>
    public static bool IsLogLine(JsonElement root, string type) =>
        type is "assistant" or "user" or "system" or "summary" or "progress" or "file-history-snapshot" or "queue-operation"
        && (Json.Has(root, "sessionId") || Json.Has(root, "leafUuid") || Json.Has(root, "snapshot"));

    public override Observation Observe(JsonElement payload)
    {
        if (Json.String(payload, "type") != "assistant" || Json.Object(payload, "message") is not { } message
            || Json.Object(message, "usage") is not { } usage
            || payload.TryGetProperty("isApiErrorMessage", out var error) && error.ValueKind == JsonValueKind.True)
            return new Observation(ObservationKind.Noise);
        var model = Json.String(message, "model");
        if (model == "<synthetic>") return new Observation(ObservationKind.Noise);
        var at = Json.Timestamp(payload, "timestamp");
        if (Json.String(message, "id") is not { Length: > 0 } id) return new Observation(ObservationKind.Complete, usage, model, null, at);
        if (id == _current) return new Observation(ObservationKind.StreamUpdate, usage, model, id, at);
        if (!_seen.Add(id)) return new Observation(ObservationKind.Noise); // a replay of a response already counted
        _current = id;
        return new Observation(ObservationKind.StreamStart, usage, model, id, at);
    }

    public override UsageTelemetry MapUsage(JsonElement usage) => Messages.MapUsage(usage);
}
