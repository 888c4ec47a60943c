using System.Diagnostics;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// AGENT_DEPLOY.md followed literally: every ```bash block in order, in one bash session (set -euo pipefail) with
/// a clean environment, with this test's answers to section 0 — an external PostgreSQL (the test cluster) whose
/// owner is created by the runbook's DBA block without SUPERUSER, CREATEDB or CREATEROLE, a Grafana reader role, the
/// requests file source. The runbook's DBA blocks run with the cluster superuser's credentials; blocks it marks
/// skip (alternatives, crontab/systemd/Grafana changes) are not run. The one addition is usage arriving: a
/// recorded call dropped into the requests folder after init. Then each rendered crontab line runs as cron runs it.
/// </summary>
public sealed class RunbookTests
{
    [Fact]
    public async Task Agent_deploy_md_deploys_an_external_least_privilege_instance_whose_crontab_runs()
    {
        var cluster = await TestCluster.Current;
        var admin = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString);
        var sfx = Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDirectory();
        var home = dir.File("srv");
        var answers = new Dictionary<string, string>
        {
            ["TT_HOME"] = home, ["INSTANCE"] = "main", ["PG_HOST"] = admin.Host!, ["PG_PORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PG_DATABASE"] = $"tt_rb_{sfx}", ["PG_OWNER"] = $"tt_rbowner_{sfx}", ["TT_SCHEMA"] = "telemetry", ["TT_READER"] = $"tt_rbreader_{sfx}",
            ["TT_SOURCES"] = "requests", ["TT_PG_PASSWORD"] = $"own$er-{sfx}", ["GRAFANA_READER_PASSWORD"] = $"read$er \"{sfx}\"",
        };
        var blocks = Runbook.Read(Path.Combine(RepoPaths.Root, "AGENT_DEPLOY.md"));
        Runbook.Assigned(blocks.Single(b => b.Kind == Runbook.Kind.Answers).Text).Order(StringComparer.Ordinal).ShouldBe(answers.Keys.Order(StringComparer.Ordinal));

        var usage = dir.File("calls.jsonl");
        File.WriteAllText(usage, """{"id":"chatcmpl-runbook1","object":"chat.completion","created":""" + DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds()
            + ""","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12500,"completion_tokens":820,"total_tokens":13320,"prompt_tokens_details":{"cached_tokens":9984}}}""" + "\n");
        var script = new System.Text.StringBuilder("set -euo pipefail\n");
        foreach (var (k, v) in answers) script.Append($"{k}='{v.Replace("'", "'\\''", StringComparison.Ordinal)}'\n");
        foreach (var block in blocks.Where(b => b.Kind is Runbook.Kind.Step or Runbook.Kind.Dba))
        {
            script.Append($"echo '### AGENT_DEPLOY.md line {block.Line}' >&2\n");
            script.Append(block.Kind == Runbook.Kind.Dba
                ? $"( export PGUSER='{admin.Username}' PGPASSWORD='{admin.Password}'\n{block.Text}\n)\n"
                : block.Text + "\n");
            if (block.Text.Contains("token-telemetry init ", StringComparison.Ordinal))
                script.Append($"cp '{usage}' \"instances/$INSTANCE/imports/requests/\"   # (test) usage arrives\n");
        }
        var run = await BashAsync(script.ToString());
        run.ExitCode.ShouldBe(0, run.Output);
        blocks.Count(b => b.Kind == Runbook.Kind.Skip).ShouldBe(6); // demo, embedded init, crontab, systemd, import examples, grafana push
        run.Output.Split('\n').Count(l => l.StartsWith("### AGENT_DEPLOY.md line ", StringComparison.Ordinal)).ShouldBe(blocks.Count(b => b.Kind is Runbook.Kind.Step or Runbook.Kind.Dba));
        run.Output.ShouldContain("V0001 init");

        // The crontab names the installed shim and runs under cron's environment.
        var instanceDir = Path.Combine(home, "instances", "main");
        var lines = CronRunner.Lines(File.ReadAllText(Path.Combine(instanceDir, "grafana", "ops", "crontab")));
        lines[0].Command.ShouldBe($"cd {home} && DOTNET_ROOT={DotnetHost.Root} {home}/.tt/token-telemetry collect --instance {instanceDir} >> {instanceDir}/collect.log 2>&1");
        foreach (var line in lines)
        {
            var cron = await CronRunner.RunAsync(line.Command);
            cron.ExitCode.ShouldBe(0, $"{line.Command}\n{cron.Output}");
        }

        var owner = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = answers["PG_DATABASE"], Username = answers["PG_OWNER"], Password = answers["TT_PG_PASSWORD"], Pooling = false };
        await using (var connection = new NpgsqlConnection(owner.ConnectionString))
        {
            (await connection.QuerySingleAsync<(bool, bool, bool)>("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")).ShouldBe((false, false, false));
            (await connection.QuerySingleAsync<(long, long, long, long)>("SELECT count(*), sum(input_tokens)::bigint, sum(cached_read_tokens)::bigint, sum(output_tokens)::bigint FROM telemetry.token_usage"))
                .ShouldBe((1L, 12500L, 9984L, 820L));
            (await connection.QueryAsync<(string, string, string)>("SELECT source_system, status, checked_by FROM telemetry.watchdog_status ORDER BY 1"))
                .ShouldBe([("__heartbeat__", "ok", "watchdog"), ("requests", "ok", "watchdog")]);
        }
        var reader = new NpgsqlConnectionStringBuilder(owner.ConnectionString) { Username = answers["TT_READER"], Password = answers["GRAFANA_READER_PASSWORD"] };
        await using (var connection = new NpgsqlConnection(reader.ConnectionString))
        {
            (await connection.ExecuteScalarAsync<long>("SELECT sum(output_tokens)::bigint FROM telemetry.token_usage")).ShouldBe(820);
            (await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE telemetry.token_usage SET output_tokens = 0"))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        }
        File.Exists(Path.Combine(home, "reader-role.sql")).ShouldBeFalse(); // the DBA step removes it
        Convert.ToString((int)File.GetUnixFileMode(Path.Combine(instanceDir, ".env")), 8).ShouldBe("600");
    }

    /// <summary>bash in the repository clone, with the environment of a fresh login: PATH, HOME, nothing of the test host's.</summary>
    private static async Task<(int ExitCode, string Output)> BashAsync(string script)
    {
        var info = new ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var a in (string[])["-i", $"PATH={Environment.GetEnvironmentVariable("PATH")}", $"HOME={Environment.GetEnvironmentVariable("HOME")}",
                     "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1", "/bin/bash", "-c", script])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        lock (output) return (process.ExitCode, output.ToString());
    }
}
