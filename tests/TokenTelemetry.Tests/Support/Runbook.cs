using System.Text.RegularExpressions;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// The ```bash blocks of AGENT_DEPLOY.md in order, each with the marker comment written right above it:
/// <c>&lt;!-- runbook-test: answers|dba|skip (why) --&gt;</c>; a block without one is an agent step.
/// </summary>
public static partial class Runbook
{
    public enum Kind { Step, Answers, Dba, Skip }

    public sealed record Block(Kind Kind, int Line, string Text);

    [GeneratedRegex(@"^<!-- runbook-test: (answers|dba|skip)\b.*-->$")]
    private static partial Regex Marker();

    public static IReadOnlyList<Block> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] != "```bash") continue;
            var end = Array.IndexOf(lines, "```", i + 1);
            if (end < 0) throw new InvalidOperationException($"{path}:{i + 1}: unclosed ```bash block");
            var marker = i > 0 ? Marker().Match(lines[i - 1]) : Match.Empty;
            var kind = marker.Success ? Enum.Parse<Kind>(marker.Groups[1].Value, ignoreCase: true) : Kind.Step;
            blocks.Add(new Block(kind, i + 1, string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }
        return blocks;
    }

    /// <summary>The names a block assigns at the start of its lines (NAME=…).</summary>
    public static IReadOnlyList<string> Assigned(string text) =>
        text.Split('\n').Select(l => Regex.Match(l, "^([A-Z_][A-Z0-9_]*)=")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
}
