namespace TokenTelemetry.Usage;

/// <summary>Where the normalizer's results go: canonical usages, quota meters, and rejected lines with why.</summary>
public interface INormalizedSink
{
    void Usage(long line, UsageTelemetry usage);
    void Meter(long line, UsageMeter meter);
    void Rejected(long line, string reason);
}
