using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The embedded default under cron: the collect line finds a stopped cluster and starts it with
/// PATH=/usr/bin:/bin — as root that means running pg_ctl as the postgres user through runuser, in /usr/sbin.</summary>
public sealed class EmbeddedScheduleTests
{
    [Fact]
    public async Task The_crontab_starts_a_stopped_embedded_cluster_and_collects_with_crons_path()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "emb", "--non-interactive", "--source", "requests")).ExitCode.ShouldBe(0);
        try
        {
            var migrate = await Cli.RunAsync(dir.Path, "migrate", "--instance", "emb");
            migrate.ExitCode.ShouldBe(0, migrate.Stderr);
            (await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "emb")).StdoutLines.ShouldBe(["stopped"]);
            (await Cli.RunAsync(dir.Path, "render", "--instance", "emb")).ExitCode.ShouldBe(0);

            var lines = CronRunner.Lines(File.ReadAllText(dir.File("instances", "emb", "grafana", "ops", "crontab")));
            foreach (var line in lines)
            {
                var run = await CronRunner.RunAsync(line.Command);
                var log = dir.File("instances", "emb", line.Command.Contains(" collect ", StringComparison.Ordinal) ? "collect.log" : "watchdog.log");
                run.ExitCode.ShouldBe(0, $"{line.Command}\n{run.Output}\n{File.ReadAllText(log)}");
            }
            File.ReadAllText(dir.File("instances", "emb", "collect.log")).ShouldContain("requests       ok");
            File.ReadAllText(dir.File("instances", "emb", "watchdog.log")).ShouldContain("__heartbeat__  ok");
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "emb");
        }
    }
}
