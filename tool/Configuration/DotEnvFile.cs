namespace TokenTelemetry.Configuration;

/// <summary>
/// Reads an instance's .env, in the one syntax the tool documents (docs/schedules.md): <c>KEY=value</c> lines,
/// the value taken literally — a <c>$</c>, backslash or backquote is part of it, never expanded as a shell would —
/// and optionally wrapped in one pair of single or double quotes, which are removed with nothing inside them
/// interpreted. <c>#</c> starts a comment line, or a comment after whitespace in an unquoted value (or after the
/// closing quote). An <c>export </c> prefix is allowed and ignored. The tool reads the file itself, under cron and
/// systemd too, so no schedule ever sources it through a shell.
/// </summary>
public static class DotEnvFile
{
    public static Dictionary<string, string> Parse(string text, string fileName, List<ConfigProblem> problems)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line["export ".Length..].TrimStart();
            var eq = line.IndexOf('=');
            var key = eq > 0 ? line[..eq].Trim() : "";
            if (!IsVariableName(key))
            {
                problems.Add(new ConfigProblem(fileName, lineNumber, "expected KEY=VALUE (the value is not shown here)"));
                continue;
            }
            var value = Value(line[(eq + 1)..].Trim(), out var problem);
            if (problem is not null) problems.Add(new ConfigProblem(fileName, lineNumber, $"{key}: {problem} (the value is not shown here)"));
            else values[key] = value;
        }
        return values;
    }

    public static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Value(string value, out string? problem)
    {
        problem = null;
        if (value.Length > 0 && value[0] is '"' or '\'')
        {
            var close = value.IndexOf(value[0], 1);
            if (close < 0)
            {
                problem = $"the value opens a {QuoteName(value[0])} quote and never closes it (wrap a value that starts with a quote in the other kind)";
                return "";
            }
            var rest = value[(close + 1)..].TrimStart();
            if (rest.Length > 0 && !rest.StartsWith('#'))
                problem = $"text follows the closing {QuoteName(value[0])} quote (quote the whole value, or none of it)";
            return value[1..close];
        }
        for (var i = 1; i < value.Length; i++)
            if (value[i] == '#' && value[i - 1] is ' ' or '\t') return value[..i].TrimEnd();
        return value;
    }

    private static string QuoteName(char quote) => quote == '"' ? "double" : "single";
}
