using TokenTelemetry.Usage;

namespace TokenTelemetry.Model;

/// <summary>A usage_meter row: a <see cref="UsageMeter"/> reading with the source and user it belongs to.</summary>
public sealed record MeterRow(string SourceSystem, string? UserId, UsageMeter Meter);
