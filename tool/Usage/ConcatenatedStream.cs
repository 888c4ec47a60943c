namespace TokenTelemetry.Usage;

/// <summary>Reads bytes already peeked from a stream, then the rest of that stream.</summary>
internal sealed class ConcatenatedStream(byte[] head, int headLength, Stream rest) : Stream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position < headLength)
        {
            var n = Math.Min(count, headLength - _position);
            Buffer.BlockCopy(head, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        return rest.Read(buffer, offset, count);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
