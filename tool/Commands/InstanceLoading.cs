using TokenTelemetry.Configuration;

namespace TokenTelemetry.Commands;

/// <summary>Loads the instance a command runs on and shows its config warnings.</summary>
public static class InstanceLoading
{
    /// <param name="requireSources">false for commands that never run a source: their config problems are warnings.</param>
    public static Instance Load(GlobalOptions options, bool requireSources = true)
    {
        var instance = InstanceLocator.Load(options.Instance, Invocation.Current.WorkingDirectory, requireSources);
        Terminal.Redactor = SecretRedactor.For(instance.Config);
        foreach (var warning in instance.Warnings) Terminal.Warning(warning);
        foreach (var problem in instance.SourceProblems) Terminal.Warning($"{problem} (needed by commands that run sources)");
        return instance;
    }
}
