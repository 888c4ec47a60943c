using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>One thing the normalizer told its sink, kept so that it can be told to another sink later, on another
/// thread, in the same order (<see cref="OrderedPayloadReader"/>).</summary>
public readonly record struct NormalizedEvent(NormalizedEvent.Kinds Kind, long Line, object Item)
{
    public enum Kinds : byte { Usage, Meter, Rejected, Unfinished }

    public void Replay(INormalizedSink sink)
    {
        switch (Kind)
        {
            case Kinds.Usage: sink.Usage(Line, (UsageTelemetry)Item); break;
            case Kinds.Meter: sink.Meter(Line, (UsageMeter)Item); break;
            case Kinds.Rejected: sink.Rejected(Line, (string)Item); break;
            default: sink.Unfinished(Line, (string)Item); break;
        }
    }
}
