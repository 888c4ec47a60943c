using Shouldly;
using TokenTelemetry.Commands;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

public sealed class InitPlannerTests
{
    private sealed class ScriptedPrompter(params string[] answers) : IPrompter
    {
        private readonly Queue<string> _answers = new(answers);
        public List<string> Questions { get; } = [];

        public string Ask(string question, string defaultValue)
        {
            Questions.Add(question);
            var answer = _answers.Dequeue();
            return answer.Length == 0 ? defaultValue : answer;
        }
    }

    [Fact]
    public void Prompts_fill_what_the_flags_left_open()
    {
        var prompter = new ScriptedPrompter("postgres://tt@db:5432/usage", "", "openai, litellm");
        var options = InitPlanner.Plan(new InitFlags { Name = "team" }, prompter);

        prompter.Questions.Count.ShouldBe(3);
        options.ShouldBe(new InitOptions
        {
            Name = "team", Embedded = false, Url = "postgres://tt@db:5432/usage", Schema = "telemetry", Sources = ["litellm", "openai"],
        }, new OptionsComparer());
    }

    [Fact]
    public void Flags_are_never_asked_again()
    {
        var prompter = new ScriptedPrompter();
        var options = InitPlanner.Plan(new InitFlags { Name = "team", EmbeddedPostgres = true, Schema = "ai", Sources = ["manual"] }, prompter);
        prompter.Questions.ShouldBeEmpty();
        options.Embedded.ShouldBeTrue();
        options.Schema.ShouldBe("ai");
    }

    [Fact]
    public void Without_a_terminal_the_defaults_are_an_embedded_postgres_and_no_sources()
    {
        var options = InitPlanner.Plan(new InitFlags { Name = "team" }, prompter: null);
        options.Embedded.ShouldBeTrue();
        options.Sources.ShouldBeEmpty();
        options.Schema.ShouldBe("telemetry");
    }

    [Fact]
    public void A_reader_role_is_kept_when_it_is_a_plain_identifier_and_refused_otherwise()
    {
        InitPlanner.Plan(new InitFlags { Name = "team", ReaderRole = "grafana_reader" }, null).ReaderRole.ShouldBe("grafana_reader");
        Should.Throw<TelemetryException>(() => InitPlanner.Plan(new InitFlags { Name = "team", ReaderRole = "Grafana-Reader" }, null))
            .ToErrorLine().ShouldBe("error: 'Grafana-Reader' is not a valid role name (use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*)");
    }

    [Fact]
    public void A_bad_instance_name_is_refused()
    {
        Should.Throw<TelemetryException>(() => InitPlanner.Plan(new InitFlags { Name = "../etc" }, null))
            .Message.ShouldBe("'../etc' is not a valid instance name");
    }

    private sealed class OptionsComparer : IEqualityComparer<InitOptions>
    {
        public bool Equals(InitOptions? x, InitOptions? y) =>
            x is not null && y is not null && x with { Sources = [] } == y with { Sources = [] } && x.Sources.SequenceEqual(y.Sources);

        public int GetHashCode(InitOptions obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
