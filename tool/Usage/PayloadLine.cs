namespace TokenTelemetry.Usage;

/// <summary>One payload from the input: its bytes and where it came from (a 1-based line, or an array item).</summary>
public readonly record struct PayloadLine(long Line, ReadOnlyMemory<byte> Bytes, string? TooLong = null);
