using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Claude Code session logs (~/.claude/projects/&lt;project&gt;/&lt;session&gt;.jsonl): usage sits on "assistant" lines in
/// message.usage with Anthropic Messages semantics (mapped by <see cref="AnthropicMessagesMapper"/>). One API response
/// is written as several lines — one per content block, early ones with an intermediate output_tokens — which may
/// interleave with other responses' lines (parallel sub-agents), and resumed sessions write earlier responses again.
/// So lines are keyed by message.id (also the call's identity, the same id the Messages API returns): all lines of
/// one id are one call whose usage is the largest any of them reports, in whatever order they come. The other line
/// types, API-error lines and the "&lt;synthetic&gt;" model are not API calls. Legacy costUSD is Claude Code's own
/// estimate, not a bill, and is not read.
/// </summary>
/// <param name="earlierFiles">Message ids counted in earlier files of the same run; a line of one of them is a replay
/// (optional: the ingest path also recognises a call it has stored before by its id).</param>
public sealed class ClaudeCodeLogMapper(HashSet<string>? earlierFiles = null) : UsageMapper
{
    private static readonly AnthropicMessagesMapper Messages = new();
    private readonly HashSet<string> _thisFile = new(StringComparer.Ordinal);

    public override string Route => "claude_code.log";
    public override string Provider => "anthropic";
    public override bool KeepLargestUsage => true;

    public override long UsageSize(JsonElement usage) =>
        (Json.Count(usage, "input_tokens") ?? 0) + (Json.Count(usage, "cache_creation_input_tokens") ?? 0)
        + (Json.Count(usage, "cache_read_input_tokens") ?? 0) + (Json.Count(usage, "output_tokens") ?? 0);

    /// <summary>Line types of a Claude Code log; with a session id they identify the format, as does parentUuid
    /// (which every conversation line carries, even of types this list does not know yet).</summary>
    public static bool IsLogLine(JsonElement root, string type) =>
        (type is "assistant" or "user" or "system" or "summary" or "progress" or "file-history-snapshot" or "queue-operation"
         && (Json.Has(root, "sessionId") || Json.Has(root, "leafUuid") || Json.Has(root, "snapshot")))
        || (root.TryGetProperty("parentUuid", out _) && Json.Has(root, "sessionId"));

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
        if (!_thisFile.Contains(id))
        {
            if (earlierFiles is not null && !earlierFiles.Add(id)) return new Observation(ObservationKind.Noise); // a replay
            _thisFile.Add(id);
        }
        return new Observation(ObservationKind.StreamUpdate, usage, model, id, at);
    }

    public override UsageTelemetry MapUsage(JsonElement usage) => Messages.MapUsage(usage);
}
