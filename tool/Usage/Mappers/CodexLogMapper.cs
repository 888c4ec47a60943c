using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// Codex CLI session logs (rollout-*.jsonl): token_count events carry the call's delta in info.last_token_usage
/// (cached_input_tokens ⊂ input_tokens, reasoning_output_tokens ⊂ output_tokens), the session's running total in
/// info.total_token_usage, and the ChatGPT-plan quota in rate_limits. The model comes from the preceding
/// turn_context line. Codex has no response id, so a call is identified by its conversation and running total
/// (<see cref="CodexLineage"/>): an event that repeats a total already seen is the same call and is counted once, and
/// history copied into a forked or sub-agent rollout is not counted from the copy (the parent's rollout counts it).
/// </summary>
public sealed class CodexLogMapper : UsageMapper
{
    private readonly CodexLineage _lineage = new();
    private readonly CodexMeters _meters = new();
    private string? _model;

    public override string Route => "codex.log";
    public override string Provider => "openai";

    public override Observation Observe(JsonElement payload)
    {
        var type = Json.String(payload, "type");
        var body = Json.Object(payload, "payload");
        switch (type)
        {
            case "session_meta" when body is { } meta:
                _lineage.Session(meta, payload);
                _model = null; // each conversation's calls take the model from its own turn contexts
                return new Observation(ObservationKind.Noise);
            case "turn_context" when body is { } context:
                _model = Json.String(context, "model")
                         ?? (Json.Object(context, "collaboration_mode") is { } mode && Json.Object(mode, "settings") is { } settings ? Json.String(settings, "model") : null)
                         ?? _model;
                return new Observation(ObservationKind.Noise);
        }
        if (type != "event_msg" || body is not { } evt || Json.String(evt, "type") != "token_count")
            return new Observation(ObservationKind.Noise);
        var at = Json.Timestamp(payload, "timestamp");
        // Copied into a fork without its turn contexts: the parent's calls, counted from the parent's rollout.
        if (_lineage.InFork && _model is null) return new Observation(ObservationKind.Noise);
        var meters = Json.Object(evt, "rate_limits") is { } limits && !_lineage.IsCopyBurst(at) ? _meters.Read(limits, at) : [];
        var info = Json.Object(evt, "info");
        var total = info is { } i1 ? Json.Object(i1, "total_token_usage") : null;
        var last = info is { } i2 ? Json.Object(i2, "last_token_usage") : null;
        if (total is null && last is null) return new Observation(ObservationKind.MetersOnly, null, _model, null, at, meters);
        var callId = total is { } t ? _lineage.CallId(t) : null;
        if (callId is not null && !_lineage.FirstTime(callId))
            return new Observation(ObservationKind.MetersOnly, null, _model, null, at, meters); // a repeated running total
        var usage = last ?? _lineage.Delta(total!.Value);
        if (total is { } running) _lineage.Remember(running);
        // History copied into a forked or sub-agent rollout is the parent's calls, re-stamped with the time of the fork:
        // they are counted from the parent's rollout, at their own time, and never again from the copy (which could
        // put them in another window, where the ledger would not know them).
        if (_lineage.IsCopyBurst(at)) return new Observation(ObservationKind.Noise);
        return new Observation(ObservationKind.Complete, usage, _model, callId, at, meters);
    }

    public override UsageTelemetry MapUsage(JsonElement usage) => new()
    {
        InputTokens = Json.Count(usage, "input_tokens"),
        CachedReadTokens = Json.Count(usage, "cached_input_tokens"),
        OutputTokens = Json.Count(usage, "output_tokens"),
        ReasoningTokens = Json.Count(usage, "reasoning_output_tokens"),
        RequestCount = 1,
    };
}
