using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The rendered crontab and systemd units as cron and systemd run them: no inherited environment, PATH
/// /usr/bin:/bin, the instance's secrets only in its .env — including a password with '$' in it, which a shell
/// sourcing .env would expand.
/// </summary>
public sealed class ScheduleTests
{
    [Fact]
    public async Task Every_crontab_line_runs_under_crons_environment_with_a_dollar_password_read_from_dot_env()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        var (dir, instanceDir, db) = (instance.Root, instance.Directory, instance.Db);
        // By hand the tool reads .env itself: the '$' stays a '$'.
        var migrate = await Cli.RunAsync(dir, "migrate", "--instance", "main");
        migrate.ExitCode.ShouldBe(0, migrate.Stderr);
        var render = await Cli.RunAsync(dir, "render", "--instance", "main");
        render.ExitCode.ShouldBe(0, render.Stderr);

        var crontab = File.ReadAllText(Path.Combine(instanceDir, "grafana", "ops", "crontab"));
        var lines = CronRunner.Lines(crontab);
        // The tool by its absolute path (here the muxer and the built dll, as the tests run it), DOTNET_ROOT, no .env.
        var tool = $"DOTNET_ROOT={DotnetHost.Root} {DotnetHost.Muxer} {DotnetHost.ToolDll}";
        lines.ShouldBe([
            new CronRunner.Line("5 */1 * * *", $"cd {dir} && {tool} collect --instance {instanceDir} >> {instanceDir}/collect.log 2>&1"),
            new CronRunner.Line("*/15 * * * *", $"cd {dir} && {tool} watchdog --instance {instanceDir} >> {instanceDir}/watchdog.log 2>&1"),
        ]);
        foreach (var line in lines)
        {
            var run = await CronRunner.RunAsync(line.Command);
            var logs = string.Join("\n", Directory.GetFiles(instanceDir, "*.log").Select(File.ReadAllText));
            run.ExitCode.ShouldBe(0, $"{line.Command}\n{run.Output}\n{logs}");
        }

        await using var connection = new NpgsqlConnection(db.ConnectionString);
        var usage = await connection.QuerySingleAsync<(long Rows, long Input, long Cached, long Output)>(
            "SELECT count(*), sum(input_tokens)::bigint, sum(cached_read_tokens)::bigint, sum(output_tokens)::bigint FROM telemetry.token_usage WHERE source_system = 'requests'");
        usage.ShouldBe((1L, 12500L, 9984L, 820L));
        var status = (await connection.QueryAsync<(string Source, string Status, string CheckedBy)>(
            "SELECT source_system, status, checked_by FROM telemetry.watchdog_status ORDER BY source_system")).ToList();
        status.ShouldBe([("__heartbeat__", "ok", "watchdog"), ("requests", "ok", "watchdog")]);
        File.ReadAllText(Path.Combine(instanceDir, "collect.log")).ShouldContain("requests       ok");
    }

    /// <summary>A unit's Environment=, WorkingDirectory= and ExecStart= (plain words, as rendered for these paths).</summary>
    private static (Dictionary<string, string> Environment, string Command) Unit(string path)
    {
        var lines = File.ReadAllLines(path);
        string Value(string key) => lines.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        var assignment = Value("Environment").Split('=', 2);
        return (new Dictionary<string, string> { [assignment[0]] = assignment[1] }, $"cd {Value("WorkingDirectory")} && exec {Value("ExecStart")}");
    }

    [Fact]
    public async Task The_systemd_units_run_their_command_with_only_the_environment_they_declare()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        var (dir, instanceDir, db) = (instance.Root, instance.Directory, instance.Db);
        (await Cli.RunAsync(dir, "migrate", "--instance", "main")).ExitCode.ShouldBe(0);
        var render = await Cli.RunAsync(dir, "render", "--instance", "main");
        render.ExitCode.ShouldBe(0, render.Stderr);
        var units = Path.Combine(instanceDir, "grafana", "ops", "systemd");
        Directory.GetFiles(units).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([
            "token-telemetry-collect-daemon.service", "token-telemetry-collect.service", "token-telemetry-collect.timer",
            "token-telemetry-watchdog.service", "token-telemetry-watchdog.timer"]);
        var collectUnit = File.ReadAllText(Path.Combine(units, "token-telemetry-collect.service"));
        collectUnit.ShouldContain($"\nWorkingDirectory={dir}\nEnvironment=DOTNET_ROOT={DotnetHost.Root}\nExecStart={DotnetHost.Muxer} {DotnetHost.ToolDll} collect --instance {instanceDir}\n");
        collectUnit.ShouldNotContain("EnvironmentFile");
        collectUnit.ShouldNotContain("User="); // rendered as root

        foreach (var name in (string[])["token-telemetry-collect.service", "token-telemetry-watchdog.service"])
        {
            var (environment, command) = Unit(Path.Combine(units, name));
            var run = await CronRunner.RunAsync(command, environment);
            run.ExitCode.ShouldBe(0, $"{name}: {command}\n{run.Output}");
        }
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        (await connection.ExecuteScalarAsync<long>("SELECT sum(input_tokens)::bigint FROM telemetry.token_usage")).ShouldBe(12500);
    }

    [Fact]
    public async Task The_daemon_unit_collects_at_once_and_stops_cleanly_on_sigterm()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        var (dir, instanceDir, db) = (instance.Root, instance.Directory, instance.Db);
        (await Cli.RunAsync(dir, "migrate", "--instance", "main")).ExitCode.ShouldBe(0);
        (await Cli.RunAsync(dir, "render", "--instance", "main")).ExitCode.ShouldBe(0);
        var unitPath = Path.Combine(instanceDir, "grafana", "ops", "systemd", "token-telemetry-collect-daemon.service");
        var unit = File.ReadAllText(unitPath);
        unit.ShouldContain($"\nExecStart={DotnetHost.Muxer} {DotnetHost.ToolDll} collect --instance {instanceDir} --daemon\n");
        unit.ShouldContain("\nRestart=always\n");
        unit.ShouldContain("\nSuccessExitStatus=2 130\n");
        unit.ShouldContain("\nWantedBy=multi-user.target\n");

        var (environment, command) = Unit(unitPath);
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-i", $"PATH={CronRunner.CronPath}", .. environment.Select(e => $"{e.Key}={e.Value}"), "/bin/sh", "-c", command]) info.ArgumentList.Add(a);
        using var daemon = System.Diagnostics.Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        daemon.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        daemon.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        string Log() { lock (log) return log.ToString(); }
        try
        {
            await using var connection = new NpgsqlConnection(db.ConnectionString);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !daemon.HasExited && !Log().Contains("next cycle at ", StringComparison.Ordinal)) await Task.Delay(100);
            (await connection.ExecuteScalarAsync<long?>("SELECT sum(input_tokens)::bigint FROM telemetry.token_usage")).ShouldBe(12500, Log());
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.WaitForExitAsync(stopping.Token);
            daemon.ExitCode.ShouldBe(0, Log());
            Log().ShouldContain("requests       ok");
            Log().ShouldContain("collector daemon stopped");
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill();
        }
    }
}
