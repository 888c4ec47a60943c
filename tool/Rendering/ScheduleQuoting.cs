namespace TokenTelemetry.Rendering;

/// <summary>
/// Words in rendered schedules, quoted for whoever reads them: cron hands a job to /bin/sh after turning each
/// unescaped % into a newline; systemd expands %-specifiers and $VARIABLES in ExecStart= and takes double quotes.
/// Plain paths stay unquoted, so the usual render reads as a person would type it.
/// </summary>
public static class ScheduleQuoting
{
    private static bool IsPlain(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@');

    /// <summary>A POSIX sh word.</summary>
    public static string Sh(string word) => IsPlain(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A sh word inside a crontab line.</summary>
    public static string Cron(string word) => Sh(word).Replace("%", "\\%", StringComparison.Ordinal);

    /// <summary>One argument of ExecStart=.</summary>
    public static string SystemdArgument(string word)
    {
        var escaped = SystemdValue(word).Replace("$", "$$", StringComparison.Ordinal);
        return IsPlain(word) ? escaped : "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A whole-line value such as WorkingDirectory= (specifiers expanded, no quoting).</summary>
    public static string SystemdValue(string value) => value.Replace("%", "%%", StringComparison.Ordinal);

    /// <summary>An Environment= assignment, quoted whole when it holds spaces or quotes.</summary>
    public static string SystemdAssignment(string name, string value)
    {
        var assignment = $"{name}={SystemdValue(value)}";
        return IsPlain(value) ? assignment : "\"" + assignment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
