namespace TokenTelemetry.Usage;

/// <summary>Tells the encodings payload files arrive in apart from the first bytes: UTF-8 (with or without a byte
/// order mark) is read; UTF-16 and UTF-32 (PowerShell's default for redirected output) are named, not misread as a
/// pile of invalid JSON lines.</summary>
public static class TextEncoding
{
    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The iconv name of a UTF-16/32 input, or null for anything else.</summary>
    public static string? Utf16(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0])) return "UTF-32LE";
        if (head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF])) return "UTF-32BE";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return "UTF-16LE";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return "UTF-16BE";
        if (head.Length < 4) return null;
        // No byte order mark: ASCII text such as '{"' in UTF-16 alternates with zero bytes.
        if (head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0) return "UTF-16LE";
        if (head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0) return "UTF-16BE";
        return null;
    }
}
