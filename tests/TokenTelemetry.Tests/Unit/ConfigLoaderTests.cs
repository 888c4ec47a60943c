using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

public sealed class ConfigLoaderTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static LoadedConfig Parse(string yaml, string dotEnv = "", Func<string, string?>? env = null, bool requireSources = true) =>
        ConfigLoader.Parse(yaml, "config.yaml", dotEnv, env ?? NoEnvironment, requireSources);

    private static ConfigException Fails(string yaml, string dotEnv = "", Func<string, string?>? env = null) =>
        Should.Throw<ConfigException>(() => Parse(yaml, dotEnv, env));

    [Fact]
    public void An_empty_file_gives_the_documented_defaults()
    {
        var config = Parse("").Config;
        config.Postgres.ShouldBe(new PostgresConfig());
        config.Postgres.Schema.ShouldBe("telemetry");
        config.Postgres.Port.ShouldBeNull();
        config.Postgres.ServerPort.ShouldBe(5432);
        config.Scheduler.Interval.ShouldBe(TimeSpan.FromHours(1));
        config.Scheduler.HttpTimeoutSeconds.ShouldBe(15);
        config.Scheduler.LookbackDays.ShouldBe(2);
        config.Pricing.Source.ShouldBe("bundled");
        config.Sources.All().ShouldBeEmpty();
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_its_path_and_line()
    {
        var error = Fails("postgres:\n  host: db\n  prot: 5433\n");
        var problem = error.Problems.ShouldHaveSingleItem();
        problem.Path.ShouldBe("postgres.prot");
        problem.Line.ShouldBe(3);
        problem.Message.ShouldStartWith("unknown key 'prot' (known keys here: database, embedded, embedded_bin_dir, host, password, port,");
        error.ToErrorLine().ShouldStartWith("error: config.yaml: postgres.prot (line 3): unknown key 'prot'");
    }

    [Fact]
    public void An_unknown_key_deep_in_a_source_is_named_with_its_full_path()
    {
        var error = Fails("sources:\n  openai:\n    enabled: false\n    bucket: 1h\n");
        error.Problems.ShouldHaveSingleItem().ShouldBe(error.Problems[0] with { Path = "sources.openai.bucket", Line = 4 });
    }

    [Fact]
    public void A_missing_environment_variable_names_the_key_and_the_variable()
    {
        var error = Fails("postgres:\n  password: ${TT_PG_PASSWORD}\n");
        var problem = error.Problems.ShouldHaveSingleItem();
        problem.Path.ShouldBe("postgres.password");
        problem.Line.ShouldBe(2);
        problem.Message.ShouldStartWith("environment variable TT_PG_PASSWORD is not set");
    }

    [Fact]
    public void Variables_expand_from_the_environment_first_then_dot_env_then_the_default()
    {
        const string yaml = "postgres:\n  host: ${PGHOST_X}\n  user: ${PGUSER_X:-fallback}\n  database: ${PGDB_X}\n  password: ${PGPW_X:-}\n";
        var env = new Dictionary<string, string> { ["PGHOST_X"] = "from-env" };
        var config = Parse(yaml, "export PGHOST_X=from-dotenv\nPGDB_X=\"db from dotenv\" \n# comment\n", n => env.GetValueOrDefault(n)).Config;
        config.Postgres.Host.ShouldBe("from-env");
        config.Postgres.User.ShouldBe("fallback");
        config.Postgres.Database.ShouldBe("db from dotenv");
        config.Postgres.Password.ShouldBe("");
    }

    [Fact]
    public void A_double_dollar_is_a_literal_dollar_brace()
    {
        Parse("identity:\n  user_id: a$${b}\n").Config.Identity.UserId.ShouldBe("a${b}");
    }

    [Fact]
    public void A_bad_schema_name_is_refused_before_it_can_reach_sql()
    {
        var error = Fails("postgres:\n  schema: \"telemetry; drop table x\"\n");
        var problem = error.Problems.ShouldHaveSingleItem();
        problem.Path.ShouldBe("postgres.schema");
        problem.Line.ShouldBe(2);
        problem.Message.ShouldBe("'telemetry; drop table x' is not a valid schema name (use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*)");
    }

    [Theory]
    [InlineData("abc", "'abc' is not a whole number")]
    [InlineData("70000", "70000 is not a TCP port (1–65535)")]
    [InlineData("0", "0 is not a TCP port (1–65535)")]
    public void A_bad_port_is_an_error_naming_the_key(string port, string message)
    {
        var problem = Fails($"postgres:\n  port: {port}\n").Problems.ShouldHaveSingleItem();
        problem.ShouldBe(new ConfigProblem("postgres.port", 2, message));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        const string yaml = """
            postgres:
              port: 99999
              schema: Bad-Name
              colour: blue
            scheduler:
              interval: often
              http_timeout_seconds: 0
            sources:
              openai:
                enabled: true
                admin_key: ${OPENAI_ADMIN_KEY}
                bucket_width: 5m
            """;
        var error = Fails(yaml);
        error.Problems.Select(p => p.ToString()).ShouldBe([
            "postgres.colour (line 4): unknown key 'colour' (known keys here: database, embedded, embedded_bin_dir, host, password, port, schema, ssl_mode, url, user)",
            "scheduler.interval (line 6): 'often' is not a duration like 15m, 1h or 1d",
            "sources.openai.admin_key (line 11): environment variable OPENAI_ADMIN_KEY is not set (set it in the environment or the instance's .env, or write ${OPENAI_ADMIN_KEY:-default})",
            "postgres.schema (line 3): 'Bad-Name' is not a valid schema name (use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*)",
            "postgres.port (line 2): 99999 is not a TCP port (1–65535)",
            "scheduler.http_timeout_seconds (line 7): must be between 1 and 600",
            "sources.openai.bucket_width (line 12): '5m' is not 1h or 1d",
        ]);
        error.Message.ShouldStartWith("config.yaml has 7 problems: postgres.colour (line 4)");
    }

    [Fact]
    public void A_plan_price_that_cost_usd_cannot_hold_exactly_is_named()
    {
        var error = Fails("""
            sources:
              subscriptions:
                enabled: true
                plans:
                  - name: A
                    provider: x
                    monthly_usd: 0.0000000001
                  - name: B
                    provider: x
                    monthly_usd: 500000000
                    seats: 2
                  - name: C
                    provider: x
                    monthly_usd: 999999999.999999999
            """);
        error.Problems.Select(p => p.ToString()).ShouldBe([
            "sources.subscriptions.plans[0].monthly_usd (line 7): at most 9 decimal places (cost_usd keeps 9)",
            "sources.subscriptions.plans[1].monthly_usd (line 10): monthly_usd × seats must be below 1,000,000,000 (the largest cost_usd)",
        ]);
    }

    [Fact]
    public void A_disabled_source_may_leave_its_variables_unset()
    {
        var config = Parse("sources:\n  openai:\n    enabled: false\n    admin_key: ${OPENAI_ADMIN_KEY}\n").Config;
        config.Sources.Openai!.Enabled.ShouldBeFalse();
        config.Sources.Enabled().ShouldBeEmpty();
    }

    [Fact]
    public void Commands_that_run_no_source_get_source_problems_as_warnings()
    {
        var loaded = Parse("sources:\n  anthropic:\n    enabled: true\n    admin_key: ${ANTHROPIC_ADMIN_KEY}\n", requireSources: false);
        loaded.Warnings.ShouldBeEmpty();
        loaded.SourceProblems.Select(p => p.ToString()).ShouldBe([
            "sources.anthropic.admin_key (line 4): environment variable ANTHROPIC_ADMIN_KEY is not set (set it in the environment or the instance's .env, or write ${ANTHROPIC_ADMIN_KEY:-default})",
        ]);
    }

    [Fact]
    public void A_secret_written_literally_gets_a_warning_and_a_reference_does_not()
    {
        const string yaml = """
            postgres:
              url: postgres://tt:hunter2@db:5432/tt
              password: hunter2
            sources:
              openai:
                enabled: true
                admin_key: sk-admin-literal
              anthropic:
                enabled: true
                admin_key: ${ANTHROPIC_KEY}
            """;
        var loaded = Parse(yaml, env: n => n == "ANTHROPIC_KEY" ? "from-env" : null);
        loaded.Warnings.Order().ShouldBe([
            "postgres.password is written literally in config.yaml; put it in the instance's .env and write ${VARIABLE} instead",
            "postgres.url contains a password written literally; put it in postgres.password as ${TT_PG_PASSWORD}",
            "sources.openai.admin_key is written literally in config.yaml; put it in the instance's .env and write ${VARIABLE} instead",
        ]);
        loaded.Warnings.ShouldAllBe(w => !w.Contains("hunter2") && !w.Contains("sk-admin"));
    }

    [Fact]
    public void Typed_values_bind_lists_maps_enums_dates_and_decimals()
    {
        const string yaml = """
            postgres:
              ssl_mode: verify-full
            scheduler:
              interval: 15m
            sources:
              litellm:
                enabled: true
                base_url: http://prom:9090
                label_matchers:
                  job: litellm
              subscriptions:
                enabled: true
                plans:
                  - name: Team
                    provider: openai
                    monthly_usd: 30.50
                    seats: 5
                    start: 2026-01-01
            pricing:
              overrides:
                my-model:
                  input_cost_per_token: 0.000003
                  cache_creation_input_token_cost_above_1hr: 0.000006
            watchdog:
              thresholds:
                litellm: 7200
              paused:
                copilot: renewing licence
            """;
        var config = Parse(yaml).Config;
        config.Postgres.SslMode.ShouldBe(SslMode.VerifyFull);
        config.Scheduler.Interval.ShouldBe(TimeSpan.FromMinutes(15));
        config.Sources.Litellm!.LabelMatchers.ShouldBe(new Dictionary<string, string> { ["job"] = "litellm" });
        var plan = config.Sources.Subscriptions!.Plans.ShouldHaveSingleItem();
        plan.ShouldBe(new SubscriptionPlanConfig { Name = "Team", Provider = "openai", MonthlyUsd = 30.50m, Seats = 5, Start = new DateOnly(2026, 1, 1) });
        config.Pricing.Overrides["my-model"].ShouldHaveSingleItem().ShouldBe(new PriceOverrideConfig { InputCostPerToken = 0.000003m, CacheCreationInputTokenCostAbove1hr = 0.000006m });
        config.Watchdog.Thresholds["litellm"].ShouldBe(7200);
        config.Watchdog.Paused["copilot"].ShouldBe("renewing licence");
        config.Sources.Enabled().Select(s => s.Name).ShouldBe(["litellm", "subscriptions"]);
    }

    [Fact]
    public void Broken_yaml_is_one_problem_with_its_line()
    {
        var problem = Fails("postgres:\n  host: [unclosed\n").Problems.ShouldHaveSingleItem();
        problem.Path.ShouldBe("(yaml)");
        problem.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_malformed_dot_env_line_is_reported_without_its_value()
    {
        var problem = Fails("", dotEnv: "GOOD=1\nthis line has a secret-ish value\n").Problems.ShouldHaveSingleItem();
        problem.ShouldBe(new ConfigProblem(".env", 2, "expected KEY=VALUE (the value is not shown here)"));
    }
}
