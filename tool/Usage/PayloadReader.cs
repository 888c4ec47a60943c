using System.Buffers;

namespace TokenTelemetry.Usage;

/// <summary>
/// Splits an input stream into payload lines with constant memory (LF, CRLF or CR line ends): JSONL, or server-sent events (data: lines;
/// event:/id:/retry:/comment lines and [DONE] are skipped). A line longer than <see cref="MaxLineBytes"/> is
/// reported as too long and skipped without being held in memory. Line buffers are reused: a yielded line is
/// valid until the next one is read.
/// </summary>
public sealed class PayloadReader(Stream input, int maxLineBytes = PayloadReader.DefaultMaxLineBytes)
{
    public const int DefaultMaxLineBytes = 1024 * 1024;
    public int MaxLineBytes => maxLineBytes;

    public IEnumerable<PayloadLine> Lines()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var line = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long lineNumber = 0;
            var lineLength = 0;
            var overflow = false;
            // LF, CRLF and a lone CR (classic Mac line ends) each end a line; the LF of a CRLF split across two reads
            // is skipped by this flag. A raw CR cannot occur inside a JSON string, so it is always a line end or space.
            var afterCr = false;
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                var start = 0;
                if (afterCr && buffer[0] == (byte)'\n') start = 1;
                afterCr = false;
                while (start < read)
                {
                    var found = buffer.AsSpan(start, read - start).IndexOfAny((byte)'\n', (byte)'\r');
                    var end = found < 0 ? read : start + found;
                    var chunk = end - start;
                    if (!overflow)
                    {
                        if (lineLength + chunk > maxLineBytes) overflow = true;
                        else
                        {
                            if (lineLength + chunk > line.Length) line = Grow(line, lineLength + chunk, lineLength);
                            Buffer.BlockCopy(buffer, start, line, lineLength, chunk);
                            lineLength += chunk;
                        }
                    }
                    if (found < 0) break;
                    lineNumber++;
                    if (Complete(lineNumber, line, lineLength, overflow) is { } payload) yield return payload;
                    lineLength = 0;
                    overflow = false;
                    start = end + 1;
                    if (buffer[end] == (byte)'\r')
                    {
                        if (start < read) { if (buffer[start] == (byte)'\n') start++; }
                        else afterCr = true;
                    }
                }
            }
            if (lineLength > 0 || overflow)
            {
                lineNumber++;
                if (Complete(lineNumber, line, lineLength, overflow) is { } payload) yield return payload;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    private PayloadLine? Complete(long number, byte[] line, int length, bool overflow)
    {
        if (overflow) return new PayloadLine(number, ReadOnlyMemory<byte>.Empty, $"the line is longer than {maxLineBytes / 1024} KiB");
        int from = 0, to = length;
        while (from < to && IsSpace(line[from])) from++;
        while (to > from && IsSpace(line[to - 1])) to--;
        var span = line.AsSpan(from, to - from);
        if (span.Length == 0 || span[0] == (byte)':') return null;
        if (span.StartsWith("data:"u8))
        {
            from += 5;
            while (from < to && line[from] == (byte)' ') from++;
            if (line.AsSpan(from, to - from).SequenceEqual("[DONE]"u8)) return null;
        }
        else if (span.StartsWith("event:"u8) || span.StartsWith("id:"u8) || span.StartsWith("retry:"u8)) return null;
        return new PayloadLine(number, new ReadOnlyMemory<byte>(line, from, to - from));
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';

    private static byte[] Grow(byte[] line, int needed, int keep)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, line.Length * 2));
        Buffer.BlockCopy(line, 0, bigger, 0, keep);
        ArrayPool<byte>.Shared.Return(line);
        return bigger;
    }
}
