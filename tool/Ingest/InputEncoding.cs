using System.Text;

namespace TokenTelemetry.Ingest;

/// <summary>How input files are decoded: UTF-8, a byte-order mark accepted and dropped; UTF-16 (which Windows tools
/// write) recognised and named, rather than read as a pile of invalid lines; CR, LF and CRLF all end a line.</summary>
public static class InputEncoding
{
    /// <summary>Why these bytes are not UTF-8 text we read, naming UTF-16 when they are that; null when fine.</summary>
    public static string? Utf16Problem(ReadOnlySpan<byte> head)
    {
        var bom = head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
        // Without a mark, ASCII text in UTF-16 has a NUL in every other byte; UTF-8 text has none.
        var sample = head[..Math.Min(head.Length, 512)];
        var nuls = 0;
        foreach (var b in sample) if (b == 0) nuls++;
        if (!bom && (sample.Length < 4 || nuls < sample.Length / 4)) return null;
        return "the file is UTF-16 encoded; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 in > out) and import it again";
    }

    /// <summary>UTF-8 text without its byte-order mark.</summary>
    public static string Utf8(byte[] bytes)
    {
        var skip = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
    }

    /// <summary>The lines of a text, ended by CRLF, LF or a lone CR.</summary>
    public static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\n' or '\r')) continue;
            yield return text[start..i];
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }
}
