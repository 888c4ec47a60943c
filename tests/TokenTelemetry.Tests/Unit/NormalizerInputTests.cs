using System.Text;
using Shouldly;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>How payload files arrive: byte order marks, UTF-16, classic-Mac line ends, and a run cut short.</summary>
public sealed class NormalizerInputTests
{
    private const string GoodLine = """{"id":"chatcmpl-B7x1yZ0aQ","object":"chat.completion","created":1763640000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1}}""";

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($"{GoodLine}\n{GoodLine}\n")).ToArray();
        var output = NormalizedOutput.Run(new MemoryStream(bytes));
        output.Rejections.ShouldBeEmpty();
        output.Usages.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("utf-16le-bom", "UTF-16LE")]
    [InlineData("utf-16be-bom", "UTF-16BE")]
    [InlineData("utf-16le", "UTF-16LE")]
    public void Utf16_input_is_one_rejection_naming_the_encoding(string form, string name)
    {
        var bigEndian = name == "UTF-16BE";
        var body = new UnicodeEncoding(bigEndian, false).GetBytes(string.Join("\n", Enumerable.Repeat(GoodLine, 50)));
        var bytes = form.EndsWith("-bom", StringComparison.Ordinal) ? new UnicodeEncoding(bigEndian, true).GetPreamble().Concat(body).ToArray() : body;
        var output = NormalizedOutput.Run(new MemoryStream(bytes));
        output.Rejections.ShouldBe([$"line 1: the input is {name}, not UTF-8 (convert it first, e.g. iconv -f {name} -t UTF-8)"]);
        output.Usages.ShouldBeEmpty();
    }

    [Fact]
    public void Lone_cr_line_ends_split_lines_and_count_them()
    {
        var output = NormalizedOutput.Run($"{GoodLine}\r{GoodLine}\r\r{GoodLine}\r");
        output.Rejections.ShouldBeEmpty();
        output.Records.Select(r => (long)r["line"]!).ShouldBe([1L, 2L, 4L]);
    }

    [Fact]
    public void A_crlf_split_across_two_reads_is_one_line_end()
    {
        // The reader takes 64 KiB at a time: place a CRLF so that the CR ends one read and the LF starts the next.
        var first = GoodLine.Replace("\"model\"", "\"pad\":\"" + new string('x', 65536 - GoodLine.Length - 10) + "\",\"model\"", StringComparison.Ordinal);
        var text = first + "\r\n" + GoodLine + "\r\n" + GoodLine;
        Encoding.UTF8.GetByteCount(first + "\r").ShouldBe(65536);
        var output = NormalizedOutput.Run(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineBytes: 1 << 20);
        output.Rejections.ShouldBeEmpty();
        output.Records.Select(r => (long)r["line"]!).ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public void A_cancelled_run_stops_between_lines()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new CancellingSink(cancel, after: 1000);
        var lines = new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(GoodLine + "\n", 100_000))));
        Should.Throw<OperationCanceledException>(() => new UsageNormalizer(sink).Run(lines, ct: cancel.Token));
        sink.Usages.ShouldBe(1000);
    }

    private sealed class CancellingSink(CancellationTokenSource cancel, int after) : INormalizedSink
    {
        public int Usages { get; private set; }
        public void Usage(long line, UsageTelemetry usage)
        {
            if (++Usages == after) cancel.Cancel();
        }
        public void Meter(long line, UsageMeter meter) { }
        public void Rejected(long line, string reason) { }
    }
}
