using System.Net;

namespace TokenTelemetry;

/// <summary>A source failed for this cycle. The message is what watchdog_status shows: what happened and what to do.
/// It never contains a secret. <see cref="HttpStatus"/> is the provider's answer when it refused a request, so callers
/// branch on the status, never on the message text.</summary>
public sealed class SourceException(string message, Exception? inner = null, HttpStatusCode? httpStatus = null) : Exception(message, inner)
{
    public HttpStatusCode? HttpStatus { get; } = httpStatus;
}
