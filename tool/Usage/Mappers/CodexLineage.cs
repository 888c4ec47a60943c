using System.Globalization;
using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Which conversation a Codex token_count belongs to, and the call id that follows from it. A rollout opens with its
/// session_meta; a forked or sub-agent rollout then holds a copy of its parent's history — the parent's session_meta
/// (and its ancestors') and token_count events, every line re-stamped with the time of the fork — before its own
/// calls. Each session_meta sets the lineage to its forked_from_id, else its own id; calls are then named
/// codex:&lt;lineage&gt;:&lt;running total&gt;. A session's running total only grows, so within a lineage it names one call,
/// and the copy of a call in a fork gets the same name as the original in the parent's rollout. (Two forks of one
/// point share the lineage; their next calls would share a name only with exactly equal token counts.)
/// </summary>
public sealed class CodexLineage
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private string? _lineage;
    private bool _sawSession;
    private DateTimeOffset? _forkedAt;
    private (long Input, long Cached, long Output, long Reasoning)? _previous;

    /// <summary>This rollout's own session was forked from, or spawned by, another.</summary>
    public bool InFork { get; private set; }

    public void Session(JsonElement meta, JsonElement line)
    {
        var parent = Json.String(meta, "forked_from_id");
        if (!_sawSession)
        {
            _sawSession = true;
            InFork = parent is not null || SpawnedBy(meta) is not null;
            _forkedAt = line.TryGetProperty("timestamp", out var t) ? LogTime.Parse(t) : null;
        }
        _lineage = parent ?? Json.String(meta, "id") ?? Json.String(meta, "session_id") ?? _lineage;
        _previous = null;
    }

    /// <summary>A forked rollout writes the copied history in one burst when it is created: a quota reading stamped
    /// within a second of its first line is a stale copy, not a reading taken then.</summary>
    public bool IsCopyBurst(DateTimeOffset? at) =>
        InFork && at is { } t && _forkedAt is { } start && t - start < TimeSpan.FromSeconds(1);

    public string? CallId(JsonElement total) =>
        _lineage is null ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"codex:{_lineage}:{Json.Count(total, "input_tokens")}/{Json.Count(total, "cached_input_tokens")}/{Json.Count(total, "output_tokens")}/{Json.Count(total, "reasoning_output_tokens")}/{Json.Count(total, "total_tokens")}");

    /// <summary>False when this call id was seen before in this rollout: Codex repeats a token_count (e.g. when only
    /// the rate limits changed), and a repeated running total is the same call.</summary>
    public bool FirstTime(string callId) => _seen.Add(callId);

    public void Remember(JsonElement total) =>
        _previous = (Json.Count(total, "input_tokens") ?? 0, Json.Count(total, "cached_input_tokens") ?? 0,
            Json.Count(total, "output_tokens") ?? 0, Json.Count(total, "reasoning_output_tokens") ?? 0);

    /// <summary>An event with a running total but no last_token_usage: the call is the difference from the previous total.</summary>
    public JsonElement Delta(JsonElement total)
    {
        var (input, cached, output, reasoning) = _previous ?? (0, 0, 0, 0);
        return JsonSerializer.SerializeToElement(new Dictionary<string, long>
        {
            ["input_tokens"] = (Json.Count(total, "input_tokens") ?? 0) - input,
            ["cached_input_tokens"] = (Json.Count(total, "cached_input_tokens") ?? 0) - cached,
            ["output_tokens"] = (Json.Count(total, "output_tokens") ?? 0) - output,
            ["reasoning_output_tokens"] = (Json.Count(total, "reasoning_output_tokens") ?? 0) - reasoning,
        });
    }

    private static string? SpawnedBy(JsonElement meta) =>
        Json.Object(meta, "source") is { } source && Json.Object(source, "subagent") is { } sub
        && Json.Object(sub, "thread_spawn") is { } spawn ? Json.String(spawn, "parent_thread_id") : null;
}
