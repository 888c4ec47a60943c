namespace TokenTelemetry.Usage;

/// <summary>A payload that cannot be mapped without guessing: it is rejected with this reason, never zero-filled.</summary>
public sealed class UsageFormatException(string message) : Exception(message);
