using System.Diagnostics;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The rendered bash + psql watchdog against the real database: the same verdicts and exit codes as the
/// `watchdog` command, with the libpq environment overriding the rendered defaults.</summary>
public sealed class RenderedScriptTests
{
    private static async Task<(int ExitCode, string Output)> ScriptAsync(CliInstance instance, string script, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output);
    }

    [Fact]
    public async Task The_script_agrees_with_the_watchdog_command_in_every_state()
    {
        using var instance = await CliInstance.CreateAsync("""
            subscriptions:
              enabled: true
              plans:
                - name: Team
                  provider: openai
                  monthly_usd: 10
            openai:
              enabled: false
              admin_key: ${OPENAI_ADMIN_KEY}
            """);
        var render = await instance.RunAsync("render", "--out", instance.File("kit"));
        render.ExitCode.ShouldBe(0, render.Stderr);
        var script = instance.File("kit", "ops", "watchdog.sh");
        var b = new NpgsqlConnectionStringBuilder(instance.ConnectionString);
        var env = new Dictionary<string, string> { ["PGUSER"] = b.Username!, ["PGPASSWORD"] = b.Password!, ["PGHOST"] = b.Host!, ["PGPORT"] = b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        // Never collected: no heartbeat.
        var never = await ScriptAsync(instance, script, env);
        never.ExitCode.ShouldBe(2, never.Output);
        never.Output.ShouldContain("__heartbeat__ never_seen");
        (await instance.RunAsync("watchdog")).ExitCode.ShouldBe(2);

        // A healthy cycle.
        (await instance.RunAsync("collect")).ExitCode.ShouldBe(0);
        var ok = await ScriptAsync(instance, script, env);
        ok.ExitCode.ShouldBe(0, ok.Output);
        ok.Output.ShouldContain("subscriptions ok alive");
        (await instance.RunAsync("watchdog")).ExitCode.ShouldBe(0);

        // A source that has never delivered anything (TT_SOURCES overrides the rendered list).
        var withOpenAi = new Dictionary<string, string>(env) { ["TT_SOURCES"] = "subscriptions openai" };
        var oneBad = await ScriptAsync(instance, script, withOpenAi);
        oneBad.ExitCode.ShouldBe(1, oneBad.Output);
        oneBad.Output.ShouldContain("openai never_seen");

        // The heartbeat older than its threshold.
        var strict = new Dictionary<string, string>(env) { ["TT_HEARTBEAT_THRESHOLD"] = "-1" };
        (await ScriptAsync(instance, script, strict)).ExitCode.ShouldBe(2);

        // No database: cannot check.
        var down = new Dictionary<string, string>(env) { ["PGPORT"] = "1" };
        var unreachable = await ScriptAsync(instance, script, down);
        unreachable.ExitCode.ShouldBe(3, unreachable.Output);
        unreachable.Output.ShouldContain("error: cannot check");
    }
}
