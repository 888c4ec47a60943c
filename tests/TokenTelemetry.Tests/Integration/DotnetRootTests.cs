using System.Diagnostics;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// A machine whose .NET lives outside the apphost's default locations (dotnet-install.sh into ~/.dotnet, say):
/// simulated in a private mount namespace (unshare -m) that moves this machine's runtime to another folder and
/// hides every default location. The installed tool's apphost starts there only through DOTNET_ROOT, which the
/// user has in their shell and cron does not — so the rendered crontab line must carry it.
/// </summary>
public sealed class DotnetRootTests
{
    private static readonly string[] DefaultLocations = ["/usr/share/dotnet", "/usr/lib/dotnet", "/etc/dotnet"];

    private static async Task<(int ExitCode, string Output)> InNamespaceAsync(string alt, string empty, string script)
    {
        var hide = string.Join(" && ", DefaultLocations.Where(Directory.Exists).Select(d => $"mount --bind '{empty}' '{d}'"));
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-m", "/bin/sh", "-c", $"mount --bind '{DotnetHost.Root}' '{alt}' && {hide} && {script}"]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task A_runtime_outside_the_default_locations_reaches_the_crontab_as_DOTNET_ROOT()
    {
        using var instance = await ScheduledInstance.CreateAsync();
        (await instance.RunAsync("migrate")).ExitCode.ShouldBe(0);
        var alt = Path.Combine(instance.Root, "home-dotnet");
        var empty = Path.Combine(instance.Root, "empty");
        Directory.CreateDirectory(alt);
        Directory.CreateDirectory(empty);

        // Without DOTNET_ROOT the apphost finds no .NET: the namespace really hides it.
        var bare = await InNamespaceAsync(alt, empty, $"env -i PATH=/usr/bin:/bin '{DotnetHost.ToolAppHost}' --help");
        bare.ExitCode.ShouldNotBe(0);
        bare.Output.ShouldContain("You must install .NET to run this application.");

        // The user's shell has DOTNET_ROOT (and nothing of the test host's, such as its DOTNET_ROOT_X64).
        var render = await InNamespaceAsync(alt, empty, $"cd '{instance.Root}' && env -i PATH=/usr/bin:/bin DOTNET_ROOT='{alt}' '{DotnetHost.ToolAppHost}' render --instance main");
        render.ExitCode.ShouldBe(0, render.Output);
        var lines = CronRunner.Lines(File.ReadAllText(instance.File("grafana", "ops", "crontab")));
        lines[0].Command.ShouldBe($"cd {instance.Root} && DOTNET_ROOT={alt} {DotnetHost.ToolAppHost} collect --instance {instance.Directory} >> {instance.Directory}/collect.log 2>&1");

        foreach (var line in lines)
        {
            var run = await InNamespaceAsync(alt, empty, $"env -i PATH={CronRunner.CronPath} /bin/sh -c '{line.Command.Replace("'", "'\\''")}'");
            run.ExitCode.ShouldBe(0, $"{line.Command}\n{run.Output}\n{File.ReadAllText(instance.File(line.Command.Contains(" collect ") ? "collect.log" : "watchdog.log"))}");
        }
        await using var connection = new NpgsqlConnection(instance.Db.ConnectionString);
        (await connection.ExecuteScalarAsync<long>("SELECT sum(output_tokens)::bigint FROM telemetry.token_usage")).ShouldBe(820);
    }
}
