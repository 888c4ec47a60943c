using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>How schedule words are quoted for sh, cron and systemd, and the unit's User= for a non-root render.</summary>
public sealed class ScheduleQuotingTests
{
    [Theory]
    [InlineData("/srv/token-telemetry/.tt/token-telemetry", "/srv/token-telemetry/.tt/token-telemetry", "/srv/token-telemetry/.tt/token-telemetry", "/srv/token-telemetry/.tt/token-telemetry")]
    [InlineData("/srv/my tt", "'/srv/my tt'", "'/srv/my tt'", "\"/srv/my tt\"")]
    [InlineData("/srv/it's", "'/srv/it'\\''s'", "'/srv/it'\\''s'", "\"/srv/it's\"")]
    [InlineData("/srv/100%", "'/srv/100%'", "'/srv/100\\%'", "\"/srv/100%%\"")]
    [InlineData("/srv/$HOME", "'/srv/$HOME'", "'/srv/$HOME'", "\"/srv/$$HOME\"")]
    [InlineData("/srv/a\"b", "'/srv/a\"b'", "'/srv/a\"b'", "\"/srv/a\\\"b\"")]
    public void Each_reader_gets_the_word_back_whole(string word, string sh, string cron, string systemd)
    {
        ScheduleQuoting.Sh(word).ShouldBe(sh);
        ScheduleQuoting.Cron(word).ShouldBe(cron);
        ScheduleQuoting.SystemdArgument(word).ShouldBe(systemd);
    }

    [Fact]
    public void Units_rendered_by_a_user_other_than_root_run_as_that_user_and_the_crontab_needs_no_user()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("instances", "main"));
        File.WriteAllText(dir.File("instances", "main", "config.yaml"), "postgres:\n  host: db.internal\n");
        var instance = InstanceLocator.Load("main", dir.Path, requireSources: false, environment: _ => null);
        var files = GrafanaKit.Render(instance, deployDirectory: "/home/alice/tt", tool: new ScheduledTool("/home/alice/.dotnet/tools/token-telemetry", null, "/home/alice/.dotnet", "alice"))
            .ToDictionary(f => f.Path, f => f.Content);
        foreach (var unit in (string[])["token-telemetry-collect.service", "token-telemetry-collect-daemon.service", "token-telemetry-watchdog.service"])
            files[$"ops/systemd/{unit}"].ShouldContain("\nUser=alice\nWorkingDirectory=/home/alice/tt\nEnvironment=DOTNET_ROOT=/home/alice/.dotnet\nExecStart=/home/alice/.dotnet/tools/token-telemetry ");
        files["ops/crontab"].ShouldNotContain("alice\n");
        files["ops/crontab"].ShouldContain("\n5 */1 * * * cd /home/alice/tt && DOTNET_ROOT=/home/alice/.dotnet /home/alice/.dotnet/tools/token-telemetry collect --instance /home/alice/tt/instances/main >> /home/alice/tt/instances/main/collect.log 2>&1\n");
    }
}
