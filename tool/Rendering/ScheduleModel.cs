using Scriban.Runtime;

namespace TokenTelemetry.Rendering;

/// <summary>
/// What the crontab and systemd templates say about where things are, already quoted for each reader: `cron` for
/// crontab lines (sh, % escaped), `unit` for systemd units. The tool reads the instance's .env itself, so neither
/// sources it: a shell would expand a '$' in a password, and systemd's EnvironmentFile= has its own quoting rules.
/// </summary>
public static class ScheduleModel
{
    public static void Add(ScriptObject model, string instanceDirectory, string deployDirectory, ScheduledTool tool)
    {
        string Cron(IEnumerable<string> words) => string.Join(' ', words.Select(ScheduleQuoting.Cron));
        model["cron"] = new ScriptObject
        {
            ["workdir"] = ScheduleQuoting.Cron(deployDirectory),
            ["env"] = $"DOTNET_ROOT={ScheduleQuoting.Cron(tool.DotnetRoot)}",
            ["tool"] = Cron(tool.Command),
            ["instance_dir"] = ScheduleQuoting.Cron(instanceDirectory),
            ["collect_log"] = ScheduleQuoting.Cron(Path.Combine(instanceDirectory, "collect.log")),
            ["watchdog_log"] = ScheduleQuoting.Cron(Path.Combine(instanceDirectory, "watchdog.log")),
        };
        model["unit"] = new ScriptObject
        {
            ["user"] = tool.User,
            ["workdir"] = ScheduleQuoting.SystemdValue(deployDirectory),
            ["environment"] = ScheduleQuoting.SystemdAssignment("DOTNET_ROOT", tool.DotnetRoot),
            ["tool"] = string.Join(' ', tool.Command.Select(ScheduleQuoting.SystemdArgument)),
            ["instance_dir"] = ScheduleQuoting.SystemdArgument(instanceDirectory),
        };
    }
}
