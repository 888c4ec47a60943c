namespace TokenTelemetry.Commands;

/// <summary>Asks the person at the terminal; swapped for a script in tests.</summary>
public interface IPrompter
{
    string Ask(string question, string defaultValue);
}
