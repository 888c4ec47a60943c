namespace TokenTelemetry.Database;

/// <summary>The instance's Postgres could not be reached (refused, down, wrong credentials, timed out): the one failure
/// the watchdog reports as "cannot check" rather than as a verdict about the data.</summary>
public sealed class DatabaseUnreachableException(string message, string hint, Exception inner)
    : TelemetryException(message, hint, ExitCodes.Failed, inner);
