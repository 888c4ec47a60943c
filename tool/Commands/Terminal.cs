using System.Runtime.CompilerServices;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Commands;

/// <summary>
/// The console, as the commands use it: stdout carries a command's output (what a script or agent parses),
/// stderr carries progress, warnings and errors (DESIGN §5). Every line passes through <see cref="Redactor"/>, so a
/// configured secret never reaches the console or a log collecting it — whoever composed the line. Lines go to the
/// current <see cref="Invocation"/>'s terminal: the process's console in the binary, the run's own in-process.
/// </summary>
public static class Terminal
{
    // Per run, not per process: runs hosted in parallel each redact their own instance's secrets.
    private static readonly ConditionalWeakTable<Invocation, SecretRedactor> Redactors = new();

    /// <summary>Set once the instance's config is loaded (<see cref="InstanceLoading"/>); none before.</summary>
    public static SecretRedactor Redactor
    {
        get => Redactors.TryGetValue(Invocation.Current, out var redactor) ? redactor : SecretRedactor.None;
        set => Redactors.AddOrUpdate(Invocation.Current, value);
    }

    public static void Out(string line) => Invocation.Current.Terminal.Out.WriteLine(Redactor.Redact(line));
    public static void Progress(string line) => Invocation.Current.Terminal.Error.WriteLine(Redactor.Redact(line));
    public static void Warning(string line) => Invocation.Current.Terminal.Error.WriteLine(Redactor.Redact($"warning: {line}"));

    /// <summary>What a use case says, to this terminal: progress and warnings on stderr, debug logs to <paramref name="log"/>.</summary>
    public static UseCases.Feedback Feedback(Microsoft.Extensions.Logging.ILogger log) => new(Progress, Warning, log);
    public static void Error(string line) => Invocation.Current.Terminal.Error.WriteLine(Redactor.Redact(line));
}
