namespace TokenTelemetry.Usage;

/// <summary>Where the normalizer's results go: canonical usages, quota meters, rejected lines with why, and calls
/// left unfinished at the end of a file that is still being written.</summary>
public interface INormalizedSink
{
    void Usage(long line, UsageTelemetry usage);
    void Meter(long line, UsageMeter meter);
    void Rejected(long line, string reason);

    /// <summary>A call whose stream had not finished when the input ended and whose file may still grow: it is left
    /// for a later read, which will see it whole. Sinks that print every record may ignore it.</summary>
    void Unfinished(long line, string reason) { }
}
