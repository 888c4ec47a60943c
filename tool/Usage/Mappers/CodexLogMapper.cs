using System.Globalization;
using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Codex CLI session logs (rollout-*.jsonl): token_count events carry the turn's delta in
/// info.last_token_usage (cached_input_tokens ⊂ input_tokens, reasoning_output_tokens ⊂ output_tokens) and the
/// ChatGPT-plan quota in rate_limits (primary/secondary windows). The model comes from the preceding
/// turn_context line, so this mapper remembers it.
/// </summary>
public sealed class CodexLogMapper : UsageMapper
{
    private string? _model;

    public override string Route => "codex.log";
    public override string Provider => "openai";

    public override Observation Observe(JsonElement payload)
    {
        var type = Json.String(payload, "type");
        var body = Json.Object(payload, "payload");
        var at = Json.Timestamp(payload, "timestamp");
        if (type == "turn_context" && body is { } context)
        {
            _model = Json.String(context, "model") ?? _model;
            return new Observation(ObservationKind.Noise);
        }
        if (type != "event_msg" || body is not { } evt || Json.String(evt, "type") != "token_count")
            return new Observation(ObservationKind.Noise);
        var meters = Json.Object(evt, "rate_limits") is { } limits ? Meters(limits, at) : [];
        var usage = Json.Object(evt, "info") is { } info ? Json.Object(info, "last_token_usage") : null;
        return usage is null
            ? new Observation(ObservationKind.MetersOnly, null, _model, null, at, meters)
            : new Observation(ObservationKind.Complete, usage, _model, null, at, meters);
    }

    public override UsageTelemetry MapUsage(JsonElement usage) => new()
    {
        InputTokens = Json.Count(usage, "input_tokens"),
        CachedReadTokens = Json.Count(usage, "cached_input_tokens"),
        OutputTokens = Json.Count(usage, "output_tokens"),
        ReasoningTokens = Json.Count(usage, "reasoning_output_tokens"),
        RequestCount = 1,
    };

    private static List<UsageMeter> Meters(JsonElement limits, DateTimeOffset? at)
    {
        var plan = Json.String(limits, "plan_type");
        var meters = new List<UsageMeter>();
        foreach (var window in (string[])["primary", "secondary"])
        {
            if (Json.Object(limits, window) is not { } w || IsPlaceholder(w)) continue;
            var minutes = Json.Count(w, "window_minutes");
            var resets = Json.Count(w, "resets_at") is { } unix ? DateTimeOffset.FromUnixTimeSeconds(unix)
                : Json.Count(w, "resets_in_seconds") is { } seconds && at is { } now ? now.AddSeconds(seconds) : (DateTimeOffset?)null;
            meters.Add(new UsageMeter
            {
                Meter = $"codex.{window}",
                Plan = plan,
                ObservedAt = at,
                WindowMinutes = minutes is null ? null : (int)minutes,
                ResetsAt = resets,
                UsedPercent = Json.Number(w, "used_percent"),
                Unit = "percent",
                Raw = w.GetRawText(),
            });
        }
        return meters;
    }

    /// <summary>Codex can follow a real snapshot with a zero-valued one (0 %, no window, no reset time): it is not a
    /// reading, and storing it would draw a false drop to 0 % on the quota panel.</summary>
    private static bool IsPlaceholder(JsonElement window) =>
        (Json.Number(window, "used_percent") ?? 0) == 0
        && (Json.Count(window, "window_minutes") ?? 0) == 0
        && (Json.Count(window, "resets_at") ?? 0) == 0
        && (Json.Count(window, "resets_in_seconds") ?? 0) == 0;
}
