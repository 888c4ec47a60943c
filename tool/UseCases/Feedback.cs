using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TokenTelemetry.UseCases;

/// <summary>
/// How a use case talks to whoever runs it: progress and warnings meant for the person (stderr), and debug logs shown
/// with --verbose. Use cases never touch the console: the command that runs one decides where these go.
/// </summary>
public sealed record Feedback(Action<string> Progress, Action<string> Warn, ILogger Log)
{
    /// <summary>For callers that want nothing said (tests, benchmarks).</summary>
    public static Feedback Silent { get; } = new(_ => { }, _ => { }, NullLogger.Instance);
}
