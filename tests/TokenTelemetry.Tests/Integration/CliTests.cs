using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The real binary end to end: exit codes, stdout/stderr split, one-line errors, the embedded Postgres.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Init_twice_without_force_refuses_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "team", "--non-interactive", "--source", "openai")).ExitCode.ShouldBe(0);
        var config = dir.File("instances", "team", "config.yaml");
        File.AppendAllText(config, "# my edit\n");
        var before = File.ReadAllText(config);

        var second = await Cli.RunAsync(dir.Path, "init", "team", "--non-interactive");

        second.ExitCode.ShouldBe(1);
        second.Stdout.ShouldBeEmpty();
        second.StderrLines.ShouldBe([
            "error: instances/team already has config.yaml, .env.example, .gitignore; nothing was changed (pass --force to overwrite, or choose another name)",
        ]);
        File.ReadAllText(config).ShouldBe(before);

        (await Cli.RunAsync(dir.Path, "init", "team", "--non-interactive", "--force")).ExitCode.ShouldBe(0);
        File.ReadAllText(config).ShouldNotContain("# my edit");
    }

    [Theory]
    [InlineData(new[] { "--pg-url", "postgres://tt:secret@db/tt" }, "error: the Postgres URL contains a password, which would be written into config.yaml (pass the URL without it and put the password in TT_PG_PASSWORD in the instance's .env)")]
    [InlineData(new[] { "--source", "grafana" }, "error: unknown source 'grafana' (known sources: litellm, openai, anthropic, copilot, subscriptions, manual, requests)")]
    [InlineData(new[] { "--schema", "x;drop" }, "error: 'x;drop' is not a valid schema name (use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*)")]
    [InlineData(new[] { "--embedded-postgres", "--pg-host", "db" }, "error: --embedded-postgres cannot be combined with --pg-url/--pg-host/--pg-port/--pg-database/--pg-user (choose an embedded or an external Postgres)")]
    public async Task Init_refuses_bad_flags_with_one_line_and_writes_nothing(string[] flags, string expected)
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, ["init", "x", "--non-interactive", .. flags]);
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe([expected]);
        Directory.Exists(dir.File("instances")).ShouldBeFalse();
    }

    [Fact]
    public async Task Init_then_migrate_on_an_embedded_postgres_works_and_a_second_migrate_is_a_no_op()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "local", "--non-interactive")).ExitCode.ShouldBe(0);
        try
        {
            var first = await Cli.RunAsync(dir.Path, "migrate");
            first.ExitCode.ShouldBe(0, first.Stderr);
            first.Stdout.ShouldMatch(@"^applied V0001__init\.sql, V0002__call_ledger\.sql, V0003__partitions_and_rollups\.sql, V0004__cost_provenance\.sql, V0005__reconcile_rollup\.sql to schema telemetry at 127\.0\.0\.1:\d+/token_telemetry\n$");
            first.Stderr.ShouldContain("applying V0001__init.sql");

            var second = await Cli.RunAsync(dir.Path, "migrate", "--instance", "local");
            second.ExitCode.ShouldBe(0, second.Stderr);
            second.Stdout.ShouldMatch(@"^schema telemetry at 127\.0\.0\.1:\d+/token_telemetry is up to date \(5 migration\(s\) applied\)\n$");

            var status = await Cli.RunAsync(dir.Path, "migrate", "--status");
            status.ExitCode.ShouldBe(0);
            status.StdoutLines[1].ShouldStartWith("  V0001 init                           applied");

            var dbStatus = await Cli.RunAsync(dir.Path, "db", "status");
            dbStatus.ExitCode.ShouldBe(0);
            dbStatus.Stdout.ShouldStartWith("running: PostgreSQL ");
            File.Exists(dir.File("instances", "local", ".embedded-postgres.json")).ShouldBeTrue();
            File.GetUnixFileMode(dir.File("instances", "local", ".embedded-postgres.json")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        finally
        {
            (await Cli.RunAsync(dir.Path, "db", "stop")).Stdout.ShouldBe("stopped\n");
        }
        var stopped = await Cli.RunAsync(dir.Path, "db", "status");
        stopped.ExitCode.ShouldBe(1);
        stopped.Stdout.ShouldStartWith("stopped: PostgreSQL ");
    }

    [Fact]
    public async Task A_config_with_problems_fails_with_every_problem_listed()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("instances", "bad"));
        File.WriteAllText(dir.File("instances", "bad", "config.yaml"), "postgres:\n  port: abc\n  schema: \"a b\"\n");
        var result = await Cli.RunAsync(dir.Path, "migrate");
        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldBeEmpty();
        result.StderrLines[0].ShouldStartWith("error: ");
        result.StderrLines[0].ShouldContain("config.yaml has 2 problems: postgres.port (line 2): 'abc' is not a whole number; postgres.schema (line 3):");
        result.StderrLines.Skip(1).ShouldBe([
            "  - postgres.port (line 2): 'abc' is not a whole number",
            "  - postgres.schema (line 3): 'a b' is not a valid schema name (use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*)",
        ]);
    }

    [Fact]
    public async Task An_unreachable_database_is_one_error_line_without_the_password()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "ext", "--non-interactive", "--pg-host", "127.0.0.1", "--pg-port", "1")).ExitCode.ShouldBe(0);
        var result = await Cli.RunAsync(dir.Path, new Dictionary<string, string> { ["TT_PG_PASSWORD"] = "s3cr3t-pw" }, "migrate");
        result.ExitCode.ShouldBe(1);
        var line = result.StderrLines.ShouldHaveSingleItem();
        line.ShouldStartWith("error: cannot connect to Postgres at 127.0.0.1:1/token_telemetry: ");
        line.ShouldEndWith("(check postgres.* in config.yaml and .env, and that the server is running)");
        result.Stderr.ShouldNotContain("s3cr3t-pw");
    }

    [Fact]
    public async Task Db_commands_on_an_external_instance_say_why_not()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "ext", "--non-interactive", "--pg-host", "db")).ExitCode.ShouldBe(0);
        var result = await Cli.RunAsync(dir.Path, "db", "start");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe([
            "error: instance ext uses an external Postgres (postgres.embedded is false) (db start|stop|status manage only an embedded Postgres; set postgres.embedded: true to use one)",
        ]);
    }

    [Fact]
    public async Task No_instance_at_all_says_how_to_make_one()
    {
        using var dir = new TempDirectory();
        var result = await Cli.RunAsync(dir.Path, "migrate");
        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe(["error: no instance found under ./instances (create one with `token-telemetry init <name>`, or pass --instance / set TT_INSTANCE)"]);
    }
}
