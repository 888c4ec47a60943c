using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

/// <summary>The one .env syntax (docs/schedules.md): values are literal, quotes only wrap.</summary>
public sealed class DotEnvFileTests
{
    private static (Dictionary<string, string> Values, List<ConfigProblem> Problems) Parse(string text)
    {
        var problems = new List<ConfigProblem>();
        return (DotEnvFile.Parse(text, ".env", problems), problems);
    }

    [Fact]
    public void Values_are_taken_literally_where_a_shell_would_expand_or_unescape()
    {
        var (values, problems) = Parse(
            "DOLLAR=pa$word$HOME-x\n" +
            "BRACES=a${B}c\n" +
            "BACKSLASH=C:\\temp\\n\n" +
            "BACKQUOTE=`whoami`\n" +
            "HASH=abc#def\n" +
            "SINGLE='it has $HOME and \"double\" quotes'\n" +
            "DOUBLE=\"it's \\n $(literal)\"\n" +
            "SPACES=\"  padded  \"\n" +
            "export EXPORTED=yes\n" +
            "  INDENTED = value with spaces  \n" +
            "COMMENTED=abc # a comment\n" +
            "QUOTED_COMMENT='x y' # note\n" +
            "EMPTY=\n" +
            "CRLF=windows\r\n" +
            "# whole-line comment\n");
        problems.ShouldBeEmpty();
        values.ShouldBe(new Dictionary<string, string>
        {
            ["DOLLAR"] = "pa$word$HOME-x",
            ["BRACES"] = "a${B}c",
            ["BACKSLASH"] = "C:\\temp\\n",
            ["BACKQUOTE"] = "`whoami`",
            ["HASH"] = "abc#def",
            ["SINGLE"] = "it has $HOME and \"double\" quotes",
            ["DOUBLE"] = "it's \\n $(literal)",
            ["SPACES"] = "  padded  ",
            ["EXPORTED"] = "yes",
            ["INDENTED"] = "value with spaces",
            ["COMMENTED"] = "abc",
            ["QUOTED_COMMENT"] = "x y",
            ["EMPTY"] = "",
            ["CRLF"] = "windows",
        }, ignoreOrder: true);
    }

    [Fact]
    public void The_last_definition_of_a_key_wins()
    {
        Parse("A=1\nA=2\n").Values["A"].ShouldBe("2");
    }

    [Fact]
    public void A_broken_quote_is_a_problem_naming_the_line_and_key_but_never_the_value()
    {
        var (values, problems) = Parse("OK=1\nPW='unterminated secret\nPW2=\"closed\"trailing-secret\n");
        values.Keys.ShouldBe(["OK"]);
        problems.ShouldBe([
            new ConfigProblem(".env", 2, "PW: the value opens a single quote and never closes it (wrap a value that starts with a quote in the other kind) (the value is not shown here)"),
            new ConfigProblem(".env", 3, "PW2: text follows the closing double quote (quote the whole value, or none of it) (the value is not shown here)"),
        ]);
        string.Join("\n", problems).ShouldNotContain("secret");
    }
}
