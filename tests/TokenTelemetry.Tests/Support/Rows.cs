using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Support;

/// <summary>Canonical rows for tests: an hour window at a fixed date unless told otherwise.</summary>
public static class Rows
{
    public static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public static TokenUsageRow Usage(string source, string model = "gpt-4o", int hour = 0, string? user = null, string? project = null,
        long? input = 1000, long? cachedRead = 200, long? cachedWrite = null, long? output = 300, long? reasoning = null, decimal? cost = 0.0125m) =>
        new()
        {
            SourceSystem = source,
            Provider = "openai",
            Model = model,
            ModelId = model,
            UserId = user,
            ProjectId = project,
            WindowStart = Day.AddHours(hour),
            WindowEnd = Day.AddHours(hour + 1),
            Granularity = Granularity.Hour,
            MeasurementBasis = MeasurementBasis.ProviderAggregate,
            InputTokens = input,
            CachedReadTokens = cachedRead,
            CachedWriteTokens = cachedWrite,
            OutputTokens = output,
            ReasoningTokens = reasoning,
            RequestCount = 7,
            CostUsd = cost,
            CostBasis = cost is null ? null : CostBasis.Computed,
            RawUsage = """{"adapter":"test"}""",
        };
}
