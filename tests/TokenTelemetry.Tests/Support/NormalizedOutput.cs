using System.Text.Json.Nodes;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Support;

/// <summary>Runs the normalizer as the command does (through <see cref="CanonicalJsonWriter"/>) and keeps the output.</summary>
public sealed class NormalizedOutput
{
    public required IReadOnlyList<JsonObject> Records { get; init; }
    public required IReadOnlyList<string> Rejections { get; init; }
    public required IReadOnlyList<UsageTelemetry> Usages { get; init; }

    public static NormalizedOutput Run(Stream input, string format = "auto", int maxLineBytes = PayloadReader.DefaultMaxLineBytes)
    {
        using var output = new MemoryStream();
        var rejected = new StringWriter();
        var usages = new List<UsageTelemetry>();
        using (var writer = new CanonicalJsonWriter(output, rejected))
            new UsageNormalizer(new TeeSink(writer, usages), format, maxLineBytes).Run(input);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        return new NormalizedOutput
        {
            Records = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList(),
            Rejections = rejected.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList(),
            Usages = usages,
        };
    }

    public static NormalizedOutput Run(string text, string format = "auto") => Run(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), format);

    private sealed class TeeSink(INormalizedSink inner, List<UsageTelemetry> usages) : INormalizedSink
    {
        public void Usage(long line, UsageTelemetry usage)
        {
            usages.Add(usage);
            inner.Usage(line, usage);
        }

        public void Meter(long line, UsageMeter meter) => inner.Meter(line, meter);
        public void Rejected(long line, string reason) => inner.Rejected(line, reason);
    }
}
