using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>The sink a reading thread gives the normalizer: events are collected in batches (one hand-over per batch,
/// not per event) and passed to <paramref name="deliver"/>, which may block while the consumer is behind.</summary>
internal sealed class RecordingSink(Action<List<NormalizedEvent>> deliver) : INormalizedSink
{
    public const int BatchSize = 256;

    private List<NormalizedEvent> _batch = new(BatchSize);

    public void Usage(long line, UsageTelemetry usage) => Add(new(NormalizedEvent.Kinds.Usage, line, usage));
    public void Meter(long line, UsageMeter meter) => Add(new(NormalizedEvent.Kinds.Meter, line, meter));
    public void Rejected(long line, string reason) => Add(new(NormalizedEvent.Kinds.Rejected, line, reason));
    public void Unfinished(long line, string reason) => Add(new(NormalizedEvent.Kinds.Unfinished, line, reason));

    /// <summary>Hands over what is collected (at the end of a file, or when it failed part-way).</summary>
    public void Flush()
    {
        if (_batch.Count == 0) return;
        var full = _batch;
        _batch = new List<NormalizedEvent>(BatchSize);
        deliver(full);
    }

    private void Add(NormalizedEvent e)
    {
        _batch.Add(e);
        if (_batch.Count == BatchSize) Flush();
    }
}
