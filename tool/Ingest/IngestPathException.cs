namespace TokenTelemetry.Ingest;

/// <summary>The path an ingest was given cannot be read at all (missing, a symlink loop, no permission): the whole
/// ingest stops with one line naming it, nothing written.</summary>
public sealed class IngestPathException(string message, string hint) : TelemetryException(message, hint);
