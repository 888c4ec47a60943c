namespace TokenTelemetry.Sources;

/// <summary>[Start, End) on the source's window grid.</summary>
public sealed record CollectionRange(DateTimeOffset Start, DateTimeOffset End);
