using TokenTelemetry.Configuration;

namespace TokenTelemetry.Commands;

/// <summary>
/// The console, as the commands use it: stdout carries a command's output (what a script or agent parses),
/// stderr carries progress, warnings and errors (DESIGN §5). Every line passes through <see cref="Redactor"/>, so a
/// configured secret never reaches the console or a log collecting it — whoever composed the line.
/// </summary>
public static class Terminal
{
    /// <summary>Set once the instance's config is loaded (<see cref="InstanceLoading"/>); none before.</summary>
    public static SecretRedactor Redactor { get; set; } = SecretRedactor.None;

    public static void Out(string line) => Console.Out.WriteLine(Redactor.Redact(line));
    public static void Progress(string line) => Console.Error.WriteLine(Redactor.Redact(line));
    public static void Warning(string line) => Console.Error.WriteLine(Redactor.Redact($"warning: {line}"));
    public static void Error(string line) => Console.Error.WriteLine(Redactor.Redact(line));
}
