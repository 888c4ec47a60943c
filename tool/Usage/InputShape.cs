namespace TokenTelemetry.Usage;

/// <summary>What the first bytes of an input say about its shape: one pretty-printed document, or payload lines.</summary>
public static class InputShape
{
    /// <summary>
    /// True for a pretty-printed document: its first line is just "{", "[" or "[{" (as json.dumps(indent) and jq
    /// write them). Any other first line is JSONL, so a truncated first record is one rejected line, not a lost file.
    /// </summary>
    public static bool IsMultiLineDocument(ReadOnlySpan<byte> head)
    {
        var text = head.TrimStart(" \t\r\n"u8);
        var newline = text.IndexOfAny((byte)'\n', (byte)'\r');
        if (newline < 0) return false;
        var first = text[..newline].Trim(" \t"u8);
        return first.SequenceEqual("{"u8) || first.SequenceEqual("["u8) || first.SequenceEqual("[{"u8);
    }

    public static int ReadAtLeast(Stream input, byte[] buffer)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = input.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return total;
    }
}
