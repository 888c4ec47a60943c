namespace TokenTelemetry.Usage;

/// <summary>
/// Recognises, from a line's bytes and without parsing it, agent-log lines that cannot carry usage, so that the
/// bulk of a Codex rollout or Claude Code session is skipped at memory-scan speed. Only exact, unambiguous shapes
/// are skipped; anything else is parsed as usual (a false "keep" costs time, never data):
/// <list type="bullet">
/// <item>Codex: <c>{"timestamp":"…","type":"response_item"</c> or <c>"compacted"</c>, and <c>"event_msg"</c> lines
/// whose <c>payload</c> opens with a type other than <c>token_count</c> (Codex writes these keys in this order).</item>
/// <item>Claude Code: lines that open with <c>{"parentUuid":</c>, carry a <c>"sessionId":</c> and contain no
/// <c>"usage":</c> key. The bytes <c>"usage":</c> cannot occur inside a JSON string (its quotes would be escaped).</item>
/// </list>
/// </summary>
public static class AgentLogFilter
{
    public static bool IsNoise(ReadOnlySpan<byte> line)
    {
        if (Consume(ref line, "{\"timestamp\":\""u8)) return IsCodexNoise(line);
        if (line.StartsWith("{\"parentUuid\":"u8))
            return line.IndexOf("\"sessionId\":"u8) >= 0 && line.IndexOf("\"usage\":"u8) < 0;
        return false;
    }

    private static bool IsCodexNoise(ReadOnlySpan<byte> rest)
    {
        var close = rest.IndexOf((byte)'"');
        if (close < 0 || close > 40) return false;
        rest = rest[(close + 1)..];
        if (!Consume(ref rest, ",\"type\":\""u8)) return false;
        if (rest.StartsWith("response_item\""u8) || rest.StartsWith("compacted\""u8)) return true;
        if (!Consume(ref rest, "event_msg\",\"payload\":{\"type\":\""u8)) return false;
        var end = rest.IndexOf((byte)'"');
        return end > 0 && !rest[..end].SequenceEqual("token_count"u8);
    }

    private static bool Consume(ref ReadOnlySpan<byte> span, ReadOnlySpan<byte> prefix)
    {
        if (!span.StartsWith(prefix)) return false;
        span = span[prefix.Length..];
        return true;
    }
}
