using System.Buffers;

namespace TokenTelemetry.Usage;

/// <summary>
/// Splits an input stream into payload lines with constant memory (LF, CRLF or CR line ends): JSONL, or server-sent events (data: lines;
/// event:/id:/retry:/comment lines and [DONE] are skipped). A line longer than <see cref="MaxLineBytes"/> is
/// reported as too long and skipped without being held in memory. Lines are found where they were read, in one
/// buffer: only the start of a line cut by the end of a read is moved (copying every line out cost more than
/// everything else an agent log needs). A yielded line is valid until the next one is read.
/// </summary>
public sealed class PayloadReader(Stream input, int maxLineBytes = PayloadReader.DefaultMaxLineBytes)
{
    public const int DefaultMaxLineBytes = 1024 * 1024;
    private const int ReadSize = 256 * 1024;
    public int MaxLineBytes => maxLineBytes;

    public IEnumerable<PayloadLine> Lines()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            long lineNumber = 0;
            int start = 0, scan = 0, end = 0; // the current line begins at start; [scan, end) is not searched yet
            var overflow = false; // the current line is too long: its bytes are dropped as they come
            // LF, CRLF and a lone CR (classic Mac line ends) each end a line; the LF of a CRLF split across two reads
            // is skipped by this flag. A raw CR cannot occur inside a JSON string, so it is always a line end or space.
            var afterCr = false;
            while (true)
            {
                var found = buffer.AsSpan(scan, end - scan).IndexOfAny((byte)'\n', (byte)'\r');
                if (found >= 0)
                {
                    var lineEnd = scan + found;
                    lineNumber++;
                    if (Complete(lineNumber, buffer, start, lineEnd - start, overflow) is { } payload) yield return payload;
                    overflow = false;
                    start = scan = lineEnd + 1;
                    if (buffer[lineEnd] == (byte)'\r')
                    {
                        if (start < end) { if (buffer[start] == (byte)'\n') start = scan = start + 1; }
                        else afterCr = true;
                    }
                    continue;
                }
                if (overflow || end - start > maxLineBytes) (overflow, start, scan, end) = (true, 0, 0, 0); // drop what is held of it
                else
                {
                    if (start > 0) Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    (end, start, scan) = (end - start, 0, end - start);
                    if (buffer.Length - end < ReadSize / 2) buffer = Grow(buffer, end);
                }
                var read = input.Read(buffer, end, buffer.Length - end);
                if (read == 0) break;
                if (afterCr && buffer[end] == (byte)'\n') { end++; start++; scan++; read--; }
                afterCr = false;
                end += read;
            }
            if (end > start || overflow)
            {
                lineNumber++;
                if (Complete(lineNumber, buffer, start, end - start, overflow) is { } payload) yield return payload;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private PayloadLine? Complete(long number, byte[] line, int from, int length, bool overflow)
    {
        if (overflow || length > maxLineBytes) return new PayloadLine(number, ReadOnlyMemory<byte>.Empty, $"the line is longer than {maxLineBytes / 1024} KiB");
        var to = from + length;
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

    /// <summary>Room for another read after the <paramref name="keep"/> bytes of a long line (bounded: a line over
    /// <see cref="MaxLineBytes"/> is dropped before the buffer grows past it by more than one read).</summary>
    private static byte[] Grow(byte[] buffer, int keep)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(keep + ReadSize, buffer.Length * 2));
        Buffer.BlockCopy(buffer, 0, bigger, 0, keep);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
