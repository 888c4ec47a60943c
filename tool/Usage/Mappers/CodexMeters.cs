using System.Text.Json;

namespace TokenTelemetry.Usage.Mappers;

/// <summary>
/// The ChatGPT-plan quota windows of a Codex token_count event (rate_limits.primary / .secondary) as meters. Codex
/// repeats the snapshot with every model call; a reading equal to the previous one of its window in the same rollout
/// (same percent, window, reset time and plan) says nothing new and is not repeated, so a rollout yields one reading
/// per change rather than one per call.
/// </summary>
public sealed class CodexMeters
{
    private readonly Dictionary<string, (decimal?, long?, DateTimeOffset?, string?)> _last = new(StringComparer.Ordinal);

    public List<UsageMeter> Read(JsonElement limits, DateTimeOffset? at)
    {
        var plan = Json.String(limits, "plan_type");
        var meters = new List<UsageMeter>();
        foreach (var window in (string[])["primary", "secondary"])
        {
            if (Json.Object(limits, window) is not { } w || IsPlaceholder(w)) continue;
            var minutes = Json.Count(w, "window_minutes");
            var resets = Json.Count(w, "resets_at") is { } unix ? DateTimeOffset.FromUnixTimeSeconds(unix)
                : Json.Count(w, "resets_in_seconds") is { } seconds && at is { } now ? now.AddSeconds(seconds) : (DateTimeOffset?)null;
            var percent = Json.Number(w, "used_percent");
            // resets_in_seconds counts down with the line's time: compare whole minutes of the reset time it gives.
            var reading = (percent, minutes, resets is { } r ? r.AddTicks(-(r.Ticks % TimeSpan.TicksPerMinute)) : (DateTimeOffset?)null, plan);
            if (_last.TryGetValue(window, out var previous) && previous == reading) continue;
            _last[window] = reading;
            meters.Add(new UsageMeter
            {
                Meter = $"codex.{window}",
                Plan = plan,
                ObservedAt = at,
                WindowMinutes = minutes is null ? null : (int)minutes,
                ResetsAt = resets,
                UsedPercent = percent,
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
