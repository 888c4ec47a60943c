using System.Text.Json;
using CsvHelper;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Ingest;

/// <summary>
/// Aggregate rows written by people or other tools (the `manual` source, `import` of CSV/JSON rows): any column of
/// token_usage by its name (DESIGN §2/§3), one record per CSV row, JSON array item or JSONL line. Each record is
/// parsed on its own (<see cref="AggregateRowParser"/>): a bad one is rejected with file:line and the rest are read.
/// UTF-8 with or without a byte-order mark; UTF-16 is named in a one-line rejection of the file; CR, LF and CRLF
/// line ends alike.
/// </summary>
public sealed class AggregateRowReader(string defaultSourceSystem, UsagePricer pricer, DateTimeOffset now, RejectionLog rejections,
    string? defaultUserId = null, string? defaultProjectId = null)
{
    /// <summary>One row as read: where it came from, and the source_system the file itself wrote (null: the default).</summary>
    public sealed record Record(Model.TokenUsageRow Row, string Where, string? WrittenSourceSystem);

    private readonly AggregateRowParser _parser = new(defaultSourceSystem, pricer, now, defaultUserId, defaultProjectId);
    private string _file = "-";
    private readonly Dictionary<GroupKey, string> _seen = new();

    /// <param name="path">A file, or "-" for standard input (JSON when it starts with { or [, else CSV).</param>
    public void ReadFile(string path, Action<Record> accept, CancellationToken ct)
    {
        _file = path;
        byte[] bytes;
        if (path == "-")
        {
            using var buffer = new MemoryStream();
            Invocation.Current.Terminal.OpenInput().CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        else bytes = File.ReadAllBytes(path);
        if (InputEncoding.Utf16Problem(bytes) is { } utf16)
        {
            rejections.Add(path, utf16);
            return;
        }
        var text = InputEncoding.Utf8(bytes);
        var csv = path == "-" ? !text.TrimStart().StartsWith('{') && !text.TrimStart().StartsWith('[') : path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        if (csv) ReadCsv(path, text, accept, ct);
        else ReadJson(path, text, accept, ct);
    }

    private void ReadCsv(string path, string text, Action<Record> accept, CancellationToken ct)
    {
        using var csv = CsvReader.Create(new StringReader(text), new CsvReaderOptions { HasHeader = true, TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true }, leaveOpen: false);
        try
        {
            csv.ReadHeader();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            rejections.Add($"{path}:1", $"no header row of column names ({e.Message})");
            return;
        }
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.Length == 0 || header.All(h => h.Length == 0))
        {
            rejections.Add($"{path}:1", "empty file (expected a header row of column names)");
            return;
        }
        if (AggregateRowParser.UnknownColumns(header) is { } unknown)
        {
            rejections.Add($"{path}:1", unknown);
            return;
        }
        while (csv.Read())
        {
            ct.ThrowIfCancellationRequested();
            var where = $"{path}:{csv.LineNumber}";
            if (csv.FieldCount != header.Length)
            {
                rejections.Add(where, $"the row has {csv.FieldCount} field(s) but the header has {header.Length} (a truncated or misquoted row)");
                continue;
            }
            var values = new Dictionary<string, string?>(header.Length);
            for (var i = 0; i < header.Length; i++) values[header[i]] = csv.GetStringOrNull(i);
            Add(values, where, accept);
        }
    }

    private void ReadJson(string path, string text, Action<Record> accept, CancellationToken ct)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('['))
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(trimmed);
            }
            catch (JsonException e)
            {
                rejections.Add(path, $"not a valid JSON array of rows ({e.Message.Split(". ")[0]}); nothing of this file was read — or write one row per line (JSONL)");
                return;
            }
            using (document)
            {
                var index = 0;
                foreach (var item in document.RootElement.EnumerateArray()) ReadRecord(item, $"{path}:item {++index}", accept);
            }
            return;
        }
        var lineNumber = 0;
        foreach (var line in InputEncoding.Lines(text))
        {
            ct.ThrowIfCancellationRequested();
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                ReadRecord(document.RootElement, $"{path}:{lineNumber}", accept);
            }
            catch (JsonException e)
            {
                rejections.Add($"{path}:{lineNumber}", $"not valid JSON ({e.Message.Split(". ")[0]})");
            }
        }
    }

    private void ReadRecord(JsonElement record, string where, Action<Record> accept)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            rejections.Add(where, "expected an object of columns");
            return;
        }
        if (AggregateRowParser.UnknownColumns(record.EnumerateObject().Select(p => p.Name)) is { } unknown)
        {
            rejections.Add(where, unknown);
            return;
        }
        Add(record.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => p.Value.GetString(),
            _ => p.Value.GetRawText(),
        }), where, accept);
    }

    private void Add(Dictionary<string, string?> values, string where, Action<Record> accept)
    {
        try
        {
            var (row, written) = _parser.Parse(values, _file);
            var key = new GroupKey(row.SourceSystem, row.ModelId, row.WindowStart, row.WindowEnd, row.UserId, row.ProjectId);
            if (_seen.TryGetValue(key, out var first))
                throw new FormatException($"the same source_system, model, window, user and project as {first}; combine them into one row");
            _seen[key] = where;
            accept(new Record(row, where, written));
        }
        catch (FormatException e)
        {
            rejections.Add(where, e.Message);
        }
    }
}
