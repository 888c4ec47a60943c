using System.Text;
using Shouldly;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>The line splitter finds lines where they were read: however the input is cut into reads, the same lines
/// come out with the same numbers — line ends, a CRLF split between reads, lines longer than the limit and longer
/// than one read, SSE framing.</summary>
public sealed class PayloadReaderTests
{
    private static readonly string Long = new('x', 300_000); // longer than one read of the reader

    private static readonly string Input =
        "{\"a\":1}\n" + "{\"b\":2}\r\n" + "{\"c\":3}\r" + "\r\n" + $"{{\"long\":\"{Long}\"}}\n" + "  {\"d\":4}  \n" + $"{{\"toolong\":\"{Long}{Long}{Long}{Long}\"}}\r\n"
        + "event: message\n" + "data: {\"e\":5}\n" + "data: [DONE]\n" + ": comment\n" + "{\"f\":6}";

    private static readonly string[] Expected =
    [
        "1 {\"a\":1}", "2 {\"b\":2}", "3 {\"c\":3}", $"5 {{\"long\":\"{Long}\"}}", "6 {\"d\":4}", "7 too long: the line is longer than 1024 KiB",
        "9 {\"e\":5}", "12 {\"f\":6}",
    ];

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(65_536)]
    [InlineData(7)]
    [InlineData(1)]
    public void The_same_lines_come_out_whatever_the_reads(int largestRead)
    {
        var lines = new PayloadReader(new Trickle(Encoding.UTF8.GetBytes(Input), largestRead), maxLineBytes: 1 << 20).Lines()
            .Select(l => l.TooLong is { } why ? $"{l.Line} too long: {why}" : $"{l.Line} {Encoding.UTF8.GetString(l.Bytes.Span)}")
            .ToList();
        lines.ShouldBe(Expected);
    }

    [Fact]
    public void A_line_just_over_the_limit_is_too_long_and_one_at_it_is_not()
    {
        var atLimit = "{\"p\":\"" + new string('y', 1000 - 8) + "\"}";
        Encoding.UTF8.GetByteCount(atLimit).ShouldBe(1000);
        var input = Encoding.UTF8.GetBytes(atLimit + "\n" + atLimit + " x\n{}");
        var lines = new PayloadReader(new Trickle(input, 3), maxLineBytes: 1000).Lines().Select(l => (l.Line, l.TooLong is null, l.Bytes.Length)).ToList();
        lines.ShouldBe([(1L, true, 1000), (2L, false, 0), (3L, true, 2)]);
    }

    /// <summary>A stream that returns at most <paramref name="largest"/> bytes per read, varying the size (1 .. largest).</summary>
    private sealed class Trickle(byte[] data, int largest) : Stream
    {
        private int _position, _turn;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var size = largest == int.MaxValue ? count : 1 + (int)(_turn++ * 7919L % largest);
            var n = Math.Min(Math.Min(count, size), data.Length - _position);
            Buffer.BlockCopy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
