using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>What one payload line is, to the stream assembler.</summary>
public enum ObservationKind
{
    /// <summary>A whole call's usage in one payload (a response object or a bare usage object).</summary>
    Complete,
    /// <summary>The first event of a stream (may carry usage, e.g. Anthropic message_start).</summary>
    StreamStart,
    /// <summary>A middle event; any usage it carries overwrites earlier values (cumulative, never added).</summary>
    StreamUpdate,
    /// <summary>The event that closes a stream (may carry the final usage).</summary>
    StreamEnd,
    /// <summary>Quota readings only, no call usage (e.g. a Codex rate-limit event before the first turn).</summary>
    MetersOnly,
    /// <summary>Part of a known format that carries nothing to count (pings, content deltas, session metadata).</summary>
    Noise,
}

/// <summary>A mapper's reading of one payload: its kind, the element holding usage (for <see cref="UsageMapper.MapUsage"/>),
/// and what the payload says about the call.</summary>
public readonly record struct Observation(
    ObservationKind Kind,
    JsonElement? Usage = null,
    string? Model = null,
    string? StreamId = null,
    DateTimeOffset? ObservedAt = null,
    IReadOnlyList<UsageMeter>? Meters = null);
