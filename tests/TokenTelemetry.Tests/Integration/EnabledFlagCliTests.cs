using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`enabled: yes` through the real commands: on main it was a warning, the source stayed off, and collect
/// and watchdog both exited 0 with nothing collected.</summary>
public sealed class EnabledFlagCliTests
{
    private static void SetEnabled(ScheduledInstance instance, string value)
    {
        var path = instance.File("config.yaml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("    enabled: true\n", $"    enabled: {value}\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enabled_yes_collects_the_source_and_the_watchdog_watches_it()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        SetEnabled(instance, "yes");
        (await instance.RunAsync("migrate")).ExitCode.ShouldBe(0);
        var collect = await instance.RunAsync("collect");
        collect.ExitCode.ShouldBe(0, collect.Stderr);
        collect.Stderr.ShouldNotContain("warning");
        collect.StdoutLines.ShouldHaveSingleItem().ShouldStartWith("requests       ok");
        var watchdog = await instance.RunAsync("watchdog");
        watchdog.ExitCode.ShouldBe(0, watchdog.Stdout);
        watchdog.StdoutLines.Select(l => l.Split(' ')[0]).ShouldBe(["requests", "__heartbeat__"]);
        await using var connection = new NpgsqlConnection(instance.Db.ConnectionString);
        (await connection.ExecuteScalarAsync<long>("SELECT sum(input_tokens)::bigint FROM telemetry.token_usage WHERE source_system = 'requests'")).ShouldBe(12500);
    }

    [Fact]
    public async Task An_enabled_that_is_no_boolean_stops_collect_and_watchdog_in_one_line_and_writes_nothing()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        (await instance.RunAsync("migrate")).ExitCode.ShouldBe(0);
        SetEnabled(instance, "maybe");
        var expected = $"error: {instance.File("config.yaml")}: sources.requests.enabled (line 14): 'maybe' is not true or false (yes/no, on/off and 1/0 also do) (fix the config and run again; instances/example/config.yaml documents every key)";
        foreach (var command in (string[])["collect", "watchdog"])
        {
            var result = await instance.RunAsync(command);
            result.ExitCode.ShouldBe(1, command);
            result.StderrLines.ShouldBe([expected], command);
            result.Stdout.ShouldBeEmpty();
        }
        await using var connection = new NpgsqlConnection(instance.Db.ConnectionString);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.watchdog_status")).ShouldBe(0);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(0);
    }
}
