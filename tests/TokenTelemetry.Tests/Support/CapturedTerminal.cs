using System.Text;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// The terminal of one in-process run, as a redirected process would have it: stdin holds the given text (then end
/// of input) and is never a TTY; stdout (text and bytes, in the order written) and stderr are captured as UTF-8.
/// </summary>
public sealed class CapturedTerminal : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly MemoryStream _stdout = new();
    private readonly StringWriter _stderr = new();

    public CapturedTerminal(string? stdin)
    {
        var input = new MemoryStream(Utf8.GetBytes(stdin ?? ""), writable: false);
        var output = new Unclosable(_stdout);
        Streams = new StandardStreams(
            TextReader.Synchronized(new StreamReader(new Unclosable(input), Utf8)),
            TextWriter.Synchronized(new StreamWriter(output, Utf8) { AutoFlush = true }),
            TextWriter.Synchronized(_stderr),
            () => new Unclosable(input),
            () => output,
            IsInputRedirected: true);
    }

    public StandardStreams Streams { get; }

    public string Stdout
    {
        get { lock (_stdout) return Utf8.GetString(_stdout.ToArray()); }
    }

    public string Stderr => _stderr.ToString();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }

    /// <summary>A command disposes the stream it opened on stdin or stdout; the run's streams stay open (as fd 0 and 1 do).</summary>
    private sealed class Unclosable(MemoryStream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { lock (inner) return inner.Read(buffer, offset, count); }
        public override void Write(byte[] buffer, int offset, int count) { lock (inner) inner.Write(buffer, offset, count); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
