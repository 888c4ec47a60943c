using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

/// <summary>`enabled:` means what it says: a boolean in any common spelling, or an error that stops every command —
/// never a deferred warning that leaves the source off while collect and watchdog exit 0.</summary>
public sealed class EnabledFlagTests
{
    private static LoadedConfig Parse(string enabled, bool requireSources, Func<string, string?>? env = null) =>
        ConfigLoader.Parse($"sources:\n  requests:\n    enabled: {enabled}\n    path: logs\n", "config.yaml", "", env ?? (_ => null), requireSources);

    [Theory]
    [InlineData("true", true)] [InlineData("True", true)] [InlineData("yes", true)] [InlineData("Yes", true)] [InlineData("on", true)]
    [InlineData("ON", true)] [InlineData("1", true)] [InlineData("\"yes\"", true)]
    [InlineData("false", false)] [InlineData("no", false)] [InlineData("off", false)] [InlineData("0", false)] [InlineData("NO", false)]
    public void Every_common_spelling_of_a_boolean_means_what_it_says(string written, bool expected)
    {
        foreach (var requireSources in (bool[])[true, false])
        {
            var loaded = Parse(written, requireSources);
            loaded.Config.Sources.Requests!.Enabled.ShouldBe(expected);
            loaded.SourceProblems.ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData("maybe", "'maybe' is not true or false (yes/no, on/off and 1/0 also do)")]
    [InlineData("2", "'2' is not true or false (yes/no, on/off and 1/0 also do)")]
    [InlineData("enable", "'enable' is not true or false (yes/no, on/off and 1/0 also do)")]
    public void Anything_else_is_an_error_even_for_commands_that_run_no_source(string written, string message)
    {
        foreach (var requireSources in (bool[])[true, false])
        {
            var error = Should.Throw<ConfigException>(() => Parse(written, requireSources));
            error.Problems.ShouldBe([new ConfigProblem("sources.requests.enabled", 3, message)]);
        }
    }

    [Fact]
    public void An_unset_variable_in_enabled_is_an_error_not_a_silently_disabled_source()
    {
        var error = Should.Throw<ConfigException>(() => Parse("${REQUESTS_ON}", requireSources: false));
        error.Problems.ShouldHaveSingleItem().ShouldBe(new ConfigProblem("sources.requests.enabled", 3,
            "environment variable REQUESTS_ON is not set (set it in the environment or the instance's .env, or write ${REQUESTS_ON:-default})"));
        Parse("${REQUESTS_ON}", requireSources: true, env: n => n == "REQUESTS_ON" ? "on" : null).Config.Sources.Requests!.Enabled.ShouldBeTrue();
        Parse("${REQUESTS_ON:-off}", requireSources: true).Config.Sources.Requests!.Enabled.ShouldBeFalse();
    }

    [Theory]
    [InlineData("")] [InlineData("~")] [InlineData("\"\"")] [InlineData("${REQUESTS_ON:-}")]
    public void An_empty_switch_is_an_error_not_a_silent_false(string written)
    {
        var error = Should.Throw<ConfigException>(() => Parse(written, requireSources: false));
        error.Problems.ShouldBe([new ConfigProblem("sources.requests.enabled", 3, "is empty: write true or false (or yes/no, on/off, 1/0)")]);
    }
}
