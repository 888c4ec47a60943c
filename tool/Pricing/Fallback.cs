namespace TokenTelemetry.Pricing;

/// <summary>Which stand-in rates a cost used because the table lacked the real one (docs/pricing.md).</summary>
[Flags]
public enum Fallback
{
    None = 0,
    LegacyCacheHit = 1,
    CacheReadAtInput = 2,
    CacheWriteClaude = 4,
    CacheWriteAtInput = 8,
    OneHourClaude = 16,
    OneHourBase = 32,
    OneHourAtFiveMinute = 64,
    BatchCacheAtBatchInput = 128,
}
