using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>Which executable and DOTNET_ROOT the rendered schedules name, and that the quoting survives sh and cron.</summary>
public sealed class ScheduledToolTests
{
    private static TempDirectory Instance(string name = "main")
    {
        var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("instances", name));
        File.WriteAllText(dir.File("instances", name, "config.yaml"), "postgres:\n  host: db.internal\n  password: ${TT_PG_PASSWORD:-}\n");
        return dir;
    }

    [Fact]
    public async Task Tool_path_names_the_installed_shim_and_dotnet_root_the_runtime_with_warnings_when_absent_here()
    {
        using var dir = Instance();
        var result = await Cli.RunAsync(dir.Path, "render", "--instance", "main", "--deploy-dir", "/srv/tt", "--tool-path", "/srv/tt/.tt", "--dotnet-root", "/opt/dotnet");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StderrLines.ShouldContain("warning: /srv/tt/.tt/token-telemetry does not exist on this machine; the schedules call it (fine when they run on another host)");
        result.StderrLines.ShouldContain("warning: DOTNET_ROOT /opt/dotnet holds no .NET runtime on this machine (fine when the schedules run on another host)");
        result.StdoutLines[^1].ShouldBe("schedules run /srv/tt/.tt/token-telemetry with DOTNET_ROOT=/opt/dotnet");
        CronRunner.Lines(File.ReadAllText(dir.File("instances", "main", "grafana", "ops", "crontab")))[0].Command
            .ShouldBe("cd /srv/tt && DOTNET_ROOT=/opt/dotnet /srv/tt/.tt/token-telemetry collect --instance /srv/tt/instances/main >> /srv/tt/instances/main/collect.log 2>&1");

        // The executable itself is accepted too.
        var direct = await Cli.RunAsync(dir.Path, "render", "--instance", "main", "--tool-path", "/usr/local/bin/token-telemetry");
        direct.ExitCode.ShouldBe(0, direct.Stderr);
        File.ReadAllText(dir.File("instances", "main", "grafana", "ops", "systemd", "token-telemetry-watchdog.service"))
            .ShouldContain($"\nExecStart=/usr/local/bin/token-telemetry watchdog --instance {dir.File("instances", "main")}\n");
    }

    [Fact]
    public async Task A_build_output_is_named_as_it_runs_with_a_warning_to_install_the_tool()
    {
        using var dir = Instance();
        var result = await AppHostCli.RunAsync(DotnetHost.ToolAppHost, dir.Path, null, "render", "--instance", "main");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.StderrLines.ShouldContain($"warning: the schedules call {DotnetHost.ToolAppHost}, a build output rather than an installed tool: the next build or clean may move it — " +
                                         "install the tool (dotnet tool install, see AGENT_DEPLOY.md) and render with it, or pass --tool-path");
        File.ReadAllText(dir.File("instances", "main", "grafana", "ops", "crontab"))
            .ShouldContain($"DOTNET_ROOT={DotnetHost.Root} {DotnetHost.ToolAppHost} watchdog --instance {dir.File("instances", "main")} >> ");
    }

    [Fact]
    public async Task Paths_with_spaces_quotes_and_percent_reach_the_tool_intact_through_sh_and_cron()
    {
        using var dir = Instance("it");
        // A stand-in tool that records what it was given: argv and DOTNET_ROOT.
        var odd = dir.File("it's 100% here");
        Directory.CreateDirectory(Path.Combine(odd, "tools"));
        var fake = Path.Combine(odd, "tools", "token-telemetry");
        File.WriteAllText(fake, $"#!/bin/sh\nprintf '%s\\n' \"$PWD\" \"$DOTNET_ROOT\" \"$@\" > '{dir.File("argv.txt")}'\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var result = await Cli.RunAsync(dir.Path, "render", "--instance", "it", "--deploy-dir", odd, "--tool-path", Path.Combine(odd, "tools"), "--dotnet-root", Path.Combine(odd, "dot net"));
        result.ExitCode.ShouldBe(0, result.Stderr);
        Directory.CreateDirectory(Path.Combine(odd, "instances", "it")); // where the deploy folder's instance lives

        var crontab = File.ReadAllText(dir.File("instances", "it", "grafana", "ops", "crontab"));
        crontab.ShouldContain("cd '" + odd.Replace("'", "'\\''").Replace("%", "\\%") + "' && ");
        var line = CronRunner.Lines(crontab)[0];
        var run = await CronRunner.RunAsync(line.Command);
        run.ExitCode.ShouldBe(0, run.Output);
        File.ReadAllLines(dir.File("argv.txt")).ShouldBe([odd, Path.Combine(odd, "dot net"), "collect", "--instance", Path.Combine(odd, "instances", "it")]);

        var unit = File.ReadAllText(dir.File("instances", "it", "grafana", "ops", "systemd", "token-telemetry-collect.service"));
        var systemdOdd = odd.Replace("%", "%%");
        unit.ShouldContain($"\nWorkingDirectory={systemdOdd}\n");
        unit.ShouldContain($"\nEnvironment=\"DOTNET_ROOT={systemdOdd}/dot net\"\n");
        unit.ShouldContain($"\nExecStart=\"{systemdOdd}/tools/token-telemetry\" collect --instance \"{systemdOdd}/instances/it\"\n");
    }
}
