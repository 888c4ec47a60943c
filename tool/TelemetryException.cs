namespace TokenTelemetry;

/// <summary>
/// An expected failure the user can act on. The global error filter prints it as one line,
/// <c>error: {Message} ({Hint})</c>, and exits with <see cref="ExitCode"/>; a stack trace only with --verbose.
/// </summary>
public class TelemetryException(string message, string? hint = null, int exitCode = ExitCodes.Failed, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Hint { get; } = hint;
    public int ExitCode { get; } = exitCode;

    public string ToErrorLine() => Hint is null ? $"error: {Message}" : $"error: {Message} ({Hint})";
}
