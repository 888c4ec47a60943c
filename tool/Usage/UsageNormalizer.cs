using System.Text;
using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Reads provider payloads — JSONL, server-sent events, a JSON array, or one (pretty-printed) JSON document — and
/// hands canonical records, meters and rejections to a sink. Bad input never throws out of here: a line that is
/// not JSON, not a known route, or inconsistent is rejected with its line number and the reason.
/// </summary>
/// <param name="claudeCodeMessageIds">Claude Code message ids already counted (shared across the files of one import).</param>
public sealed class UsageNormalizer(INormalizedSink sink, string format = "auto", int maxLineBytes = PayloadReader.DefaultMaxLineBytes,
    HashSet<string>? claudeCodeMessageIds = null)
{
    /// <summary>A single JSON document spread over lines is read whole; beyond this it is refused.</summary>
    public const int MaxDocumentBytes = 256 * 1024 * 1024;

    private readonly RouteDetector _detector = new(claudeCodeMessageIds);
    private readonly StreamAssembler _assembler = new(sink);
    private UsageMapper? _forced;

    public void Run(Stream input)
    {
        _forced = _detector.Forced(format);
        var peek = new byte[64 * 1024];
        var peeked = ReadAtLeast(input, peek);
        if (IsMultiLineDocument(peek.AsSpan(0, peeked)))
        {
            RunDocument(input, peek, peeked);
            return;
        }
        using var whole = new ConcatenatedStream(peek, peeked, input);
        foreach (var line in new PayloadReader(whole, maxLineBytes).Lines())
        {
            if (line.TooLong is { } why)
            {
                sink.Rejected(line.Line, why);
                continue;
            }
            ParseAndAccept(line.Bytes, line.Line);
        }
        _assembler.Finish();
    }

    private void ParseAndAccept(ReadOnlyMemory<byte> bytes, long line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            sink.Rejected(line, $"not valid JSON ({FirstSentence(e.Message)})");
            return;
        }
        using (document) Accept(document.RootElement, line);
    }

    private void Accept(JsonElement root, long line)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray()) Accept(item, line);
            return;
        }
        var mapper = _forced ?? _detector.Detect(root);
        if (mapper is null)
        {
            sink.Rejected(line, root.ValueKind == JsonValueKind.Object
                ? $"no usage of a known route (top-level keys: {string.Join(", ", root.EnumerateObject().Take(8).Select(p => p.Name))})"
                : $"expected a JSON object, found {root.ValueKind.ToString().ToLowerInvariant()}");
            return;
        }
        try
        {
            _assembler.Accept(mapper, mapper.Observe(root), line);
        }
        catch (UsageFormatException e)
        {
            sink.Rejected(line, $"{mapper.Route}: {e.Message}");
        }
    }

    private void RunDocument(Stream input, byte[] peek, int peeked)
    {
        using var all = new MemoryStream();
        all.Write(peek, 0, peeked);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            all.Write(chunk, 0, read);
            if (all.Length > MaxDocumentBytes)
            {
                sink.Rejected(1, $"a multi-line JSON document over {MaxDocumentBytes / 1048576} MiB; write one payload per line (JSONL) instead");
                return;
            }
        }
        ParseAndAccept(all.GetBuffer().AsMemory(0, (int)all.Length), 1);
        _assembler.Finish();
    }

    /// <summary>
    /// True for a pretty-printed document: its first line is just "{", "[" or "[{" (as json.dumps(indent) and jq
    /// write them). Any other first line is JSONL, so a truncated first record is one rejected line, not a lost file.
    /// </summary>
    private static bool IsMultiLineDocument(ReadOnlySpan<byte> head)
    {
        var text = head.TrimStart(" \t\r\n"u8);
        var newline = text.IndexOf((byte)'\n');
        if (newline < 0) return false;
        var first = text[..newline].Trim(" \t\r"u8);
        return first.SequenceEqual("{"u8) || first.SequenceEqual("["u8) || first.SequenceEqual("[{"u8);
    }

    private static int ReadAtLeast(Stream input, byte[] buffer)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = input.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return total;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
