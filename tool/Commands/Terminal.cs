namespace TokenTelemetry.Commands;

/// <summary>
/// The console, as the commands use it: stdout carries a command's output (what a script or agent parses),
/// stderr carries progress, warnings and errors (DESIGN §5).
/// </summary>
public static class Terminal
{
    public static void Out(string line) => Console.Out.WriteLine(line);
    public static void Progress(string line) => Console.Error.WriteLine(line);
    public static void Warning(string line) => Console.Error.WriteLine($"warning: {line}");
    public static void Error(string line) => Console.Error.WriteLine(line);
}
