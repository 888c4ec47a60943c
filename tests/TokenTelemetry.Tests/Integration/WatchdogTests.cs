using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

public sealed class WatchdogTests
{
    private static InstanceConfig Config() => new()
    {
        Sources = new SourcesConfig
        {
            Subscriptions = new SubscriptionsSourceConfig { Enabled = true, Plans = [new SubscriptionPlanConfig { Name = "T", Provider = "x", MonthlyUsd = 5 }] },
            Openai = new OpenAiSourceConfig { Enabled = true, BaseUrl = "http://127.0.0.1:1", AdminKey = "k" },
            Manual = new FileSourceConfig { Enabled = false, Path = "x" },
        },
        Watchdog = new WatchdogConfig { Paused = new() { ["copilot"] = "licence renewal" } },
    };

    private static async Task<WatchdogResult> CheckAsync(EngineHarness harness, InstanceConfig config, bool write = true)
    {
        await using var connection = await harness.OpenAsync();
        return await new Watchdog(harness.Schema, config, harness.Clock).CheckAsync(connection, write, CancellationToken.None);
    }

    [Fact]
    public async Task An_empty_status_table_means_the_collector_never_ran_exit_2()
    {
        var harness = await EngineHarness.CreateAsync();
        var result = await CheckAsync(harness, Config());
        result.ExitCode.ShouldBe(WatchdogResult.HeartbeatStale);
        result.Heartbeat.Status.ShouldBe("never_seen");
        result.Sources.Select(s => (s.SourceSystem, s.Status)).ShouldBe([("openai", "never_seen"), ("subscriptions", "never_seen")]);
    }

    [Fact]
    public async Task After_a_cycle_with_a_failing_source_it_is_error_and_exit_1_then_exit_2_once_the_collector_stops()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = Config();
        using var openai = new OpenAiSource(config.Sources.Openai!, harness.Context(config));
        await harness.RunAsync(config, [openai, new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)]);

        var result = await CheckAsync(harness, config);
        result.ExitCode.ShouldBe(WatchdogResult.SourceProblem);
        result.Sources.Single(s => s.SourceSystem == "openai").Status.ShouldBe("error");
        result.Sources.Single(s => s.SourceSystem == "openai").Message!.ShouldStartWith("GET http://127.0.0.1:1/v1/organization/usage/completions failed after retries");
        result.Sources.Single(s => s.SourceSystem == "subscriptions").Status.ShouldBe("ok");
        result.Heartbeat.Status.ShouldBe("ok");
        (await CheckAsync(harness, config)).Sources.Single(s => s.SourceSystem == "openai").Status.ShouldBe("error"); // a second check keeps the error

        harness.Clock.Now = harness.Clock.Now.AddHours(3); // two missed hourly cycles
        var later = await CheckAsync(harness, config);
        later.ExitCode.ShouldBe(WatchdogResult.HeartbeatStale);
        later.Heartbeat.Status.ShouldBe("stale");
        later.Heartbeat.StaleSeconds.ShouldBe(3 * 3600);
        (await harness.WatchdogAsync()).Single(r => r.SourceSystem == "__heartbeat__").CheckedBy.ShouldBe("watchdog");
    }

    [Fact]
    public async Task An_idle_source_that_polls_stays_ok_and_a_paused_one_says_why()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = Config() with
        {
            Sources = Config().Sources with { Openai = null, Copilot = new CopilotSourceConfig { Enabled = true, Token = "t", Organization = "o" } },
        };
        await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)]);
        var result = await CheckAsync(harness, config);
        result.Sources.Single(s => s.SourceSystem == "copilot").ShouldSatisfyAllConditions(
            s => s.Status.ShouldBe("paused"), s => s.Message.ShouldBe("paused: licence renewal"));
        result.ExitCode.ShouldBe(WatchdogResult.Ok);
    }

    [Fact]
    public async Task An_unreachable_database_is_exit_3_not_a_stale_source()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "w", "--non-interactive", "--pg-host", "127.0.0.1", "--pg-port", "1")).ExitCode.ShouldBe(0);
        var result = await Cli.RunAsync(dir.Path, "watchdog");
        result.ExitCode.ShouldBe(3);
        result.StderrLines.ShouldHaveSingleItem().ShouldStartWith("error: cannot connect to Postgres at 127.0.0.1:1/token_telemetry");
    }
}
