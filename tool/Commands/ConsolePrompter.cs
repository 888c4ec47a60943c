namespace TokenTelemetry.Commands;

/// <summary>Prompts on stderr (stdout stays clean) and reads a line from stdin; Enter takes the default.</summary>
public sealed class ConsolePrompter : IPrompter
{
    public string Ask(string question, string defaultValue)
    {
        var terminal = Invocation.Current.Terminal;
        terminal.Error.Write(defaultValue.Length > 0 ? $"{question} [{defaultValue}]: " : $"{question}: ");
        var answer = terminal.In.ReadLine()?.Trim();
        return string.IsNullOrEmpty(answer) ? defaultValue : answer;
    }
}
