namespace TokenTelemetry;

/// <summary>A source failed for this cycle. The message is what watchdog_status shows: what happened and what to do.
/// It never contains a secret.</summary>
public sealed class SourceException(string message, Exception? inner = null) : Exception(message, inner);
