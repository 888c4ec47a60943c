namespace TokenTelemetry;

/// <summary>
/// A run's terminal: stdin, stdout and stderr as text and as bytes, and whether stdin is a terminal a person types
/// into (only then does a command prompt). <see cref="Console"/> is the process's own.
/// </summary>
public sealed record StandardStreams(
    TextReader In,
    TextWriter Out,
    TextWriter Error,
    Func<Stream> OpenInput,
    Func<Stream> OpenOutput,
    bool IsInputRedirected)
{
    /// <summary>
    /// The process's console, captured once: a host that redirects <c>System.Console</c> to the current run
    /// (<c>Hosting.AmbientConsole</c>) still reaches the real one through this.
    /// </summary>
    public static StandardStreams Console { get; } = new(
        System.Console.In, System.Console.Out, System.Console.Error,
        System.Console.OpenStandardInput, System.Console.OpenStandardOutput, System.Console.IsInputRedirected);
}
