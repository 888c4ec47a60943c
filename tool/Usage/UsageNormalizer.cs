using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Reads provider payloads — JSONL, server-sent events, a JSON array, or one (pretty-printed) JSON document — and
/// hands canonical records, meters and rejections to a sink. Bad input never throws out of here: a line that is
/// not JSON, not a known route, or inconsistent is rejected with its line number and the reason. A UTF-8 byte order
/// mark is skipped; UTF-16 input is one rejection naming the encoding. Cancelling the token stops between lines.
/// </summary>
/// <param name="claudeCodeMessageIds">Claude Code message ids already counted in earlier files of one run (optional).</param>
public sealed class UsageNormalizer(INormalizedSink sink, string format = "auto", int maxLineBytes = PayloadReader.DefaultMaxLineBytes,
    HashSet<string>? claudeCodeMessageIds = null)
{
    /// <summary>A single JSON document spread over lines is read whole; beyond this it is refused.</summary>
    public const int MaxDocumentBytes = 256 * 1024 * 1024;

    private readonly RouteDetector _detector = new(claudeCodeMessageIds);
    private readonly StreamAssembler _assembler = new(sink);
    private UsageMapper? _forced;
    private bool _skipAgentNoise;

    /// <summary>Skip agent-log lines that cannot carry usage without parsing them (<see cref="AgentLogFilter"/>);
    /// off only to show that the output is the same either way.</summary>
    internal bool SkipAgentNoise { get; init; } = true;

    /// <param name="unsettledSince">For a file that may still be growing (the ingest path: modified moments ago), the
    /// time after which a stream left open at its end may still be in progress: such calls go to
    /// <see cref="INormalizedSink.Unfinished"/> instead of being emitted with partial usage. Null: the input is whole.</param>
    public void Run(Stream input, DateTimeOffset? unsettledSince = null, CancellationToken ct = default)
    {
        _forced = _detector.Forced(format);
        _skipAgentNoise = SkipAgentNoise && (format is "auto" or "codex.log" or "claude_code.log");
        var peek = new byte[64 * 1024];
        var peeked = InputShape.ReadAtLeast(input, peek);
        var head = peek.AsSpan(0, peeked);
        if (TextEncoding.Utf16(head) is { } encoding)
        {
            sink.Rejected(1, $"the input is {encoding}, not UTF-8 (convert it first, e.g. iconv -f {encoding} -t UTF-8)");
            return;
        }
        var skip = head.StartsWith(TextEncoding.Utf8Bom) ? TextEncoding.Utf8Bom.Length : 0;
        if (InputShape.IsMultiLineDocument(head[skip..]))
        {
            RunDocument(input, peek, skip, peeked, ct);
            return;
        }
        using var whole = new ConcatenatedStream(peek[skip..peeked], peeked - skip, input);
        foreach (var line in new PayloadReader(whole, maxLineBytes).Lines())
        {
            ct.ThrowIfCancellationRequested();
            if (line.TooLong is { } why)
            {
                sink.Rejected(line.Line, why);
                continue;
            }
            if (_skipAgentNoise && AgentLogFilter.IsNoise(line.Bytes.Span)) continue;
            ParseAndAccept(line.Bytes, line.Line);
        }
        _assembler.Finish(unsettledSince);
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
        var detected = _detector.Detect(root);
        var payload = root;
        JsonDocument? owned = null;
        var envelope = LogEnvelope.None; // a payload at the top level has no envelope: its own fields are all there is
        if (root.ValueKind == JsonValueKind.Object && (detected is null || detected.Family == "openai.chat-compatible"))
        {
            if (LogEnvelope.IsSpendLog(root))
            {
                payload = LogEnvelope.SpendLogPayload(root, IsPayload, out owned);
                envelope = new LogEnvelope(root, spendLog: true);
                detected = _detector.Detect(payload);
            }
            else if (detected is null && LogEnvelope.TryUnwrap(root, IsPayload, out var inner, out owned))
            {
                payload = inner;
                envelope = new LogEnvelope(root, spendLog: false);
                detected = _detector.Detect(payload);
            }
        }
        using (owned) AcceptPayload(payload, _forced ?? detected, line, envelope);
    }

    private bool IsPayload(JsonElement element) => _detector.Detect(element) is not null;

    private void AcceptPayload(JsonElement payload, UsageMapper? mapper, long line, LogEnvelope envelope)
    {
        if (mapper is null)
        {
            sink.Rejected(line, payload.ValueKind == JsonValueKind.Object
                ? $"no usage of a known route (top-level keys: {string.Join(", ", payload.EnumerateObject().Take(8).Select(p => p.Name))})"
                : $"expected a JSON object, found {payload.ValueKind.ToString().ToLowerInvariant()}");
            return;
        }
        try
        {
            _assembler.Accept(mapper, mapper.Observe(payload), line, envelope);
        }
        catch (UsageFormatException e)
        {
            sink.Rejected(line, $"{mapper.Route}: {e.Message}");
        }
    }

    private void RunDocument(Stream input, byte[] peek, int skip, int peeked, CancellationToken ct)
    {
        using var all = new MemoryStream();
        all.Write(peek, skip, peeked - skip);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            ct.ThrowIfCancellationRequested();
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

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
