namespace TokenTelemetry.Configuration;

/// <summary>
/// Reads an instance's .env: KEY=VALUE lines, an optional leading <c>export </c> (so the same file can be
/// sourced by a shell), # comments, and single- or double-quoted values.
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
            var line = rawLine.Trim().TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line["export ".Length..].TrimStart();
            var eq = line.IndexOf('=');
            var key = eq > 0 ? line[..eq].Trim() : "";
            if (!IsVariableName(key))
            {
                problems.Add(new ConfigProblem(fileName, lineNumber, "expected KEY=VALUE (the value is not shown here)"));
                continue;
            }
            values[key] = Unquote(line[(eq + 1)..].Trim());
        }
        return values;
    }

    public static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) return value[1..^1];
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }
}
