using System.Text.RegularExpressions;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`--verbose` (README, DESIGN §5): debug logs on stderr — the config, the sources planned, each source's
/// windows, rows and time — never a secret and never on stdout; without it, none.</summary>
public sealed class VerboseLoggingTests
{
    private const string Key = "sk-admin-verbose-logging-0123456789";

    [Fact]
    public async Task Verbose_collect_logs_config_plan_rows_and_timing_on_stderr_and_no_secret()
    {
        using var instance = await CliInstance.CreateAsync("""
            subscriptions:
              enabled: true
              plans:
                - name: Team
                  provider: openai
                  monthly_usd: 3000
                  billing_day: 1
                  start: 2026-11-01
            openai:
              enabled: false
              admin_key: ${OPENAI_ADMIN_KEY}
            """, environment: new Dictionary<string, string> { ["OPENAI_ADMIN_KEY"] = Key, ["TT_NOW"] = "2026-11-20T12:00:00Z" });

        var quiet = await instance.RunAsync("collect");
        quiet.ExitCode.ShouldBe(0, quiet.Stderr);
        quiet.Stderr.ShouldNotContain("dbug:");

        var verbose = await instance.RunAsync("collect", "--verbose");
        verbose.ExitCode.ShouldBe(0, verbose.Stderr);
        verbose.StdoutLines.ShouldBe(quiet.StdoutLines); // logs never reach stdout
        var rows = int.Parse(Regex.Match(verbose.StdoutLines.ShouldHaveSingleItem(), @"^subscriptions\s+ok\s+(\d+) row\(s\)$").Groups[1].Value);
        rows.ShouldBe(20); // 1–20 November: the plan's days up to TT_NOW

        verbose.StderrLines.ShouldContain($"dbug: TokenTelemetry.Commands.CollectCommand[0] collect: config {Path.Combine(instance.Directory, "config.yaml")}");
        verbose.StderrLines.ShouldContain("dbug: TokenTelemetry.Commands.CollectCommand[0] collect: 1 source(s) planned: subscriptions (day, snapshot); range due windows");
        verbose.StderrLines.ShouldContain(l => Regex.IsMatch(l, $@"^dbug: TokenTelemetry\.Commands\.CollectCommand\[0\] collect: subscriptions Ok in \d+ ms: 1 window\(s\), {rows} row\(s\)$"));
        verbose.StderrLines.ShouldContain(l => Regex.IsMatch(l, @"^dbug: TokenTelemetry\.Commands\.CollectCommand\[0\] collect: cycle took \d+ ms$"));
        verbose.Stderr.ShouldNotContain(Key);
        verbose.Stdout.ShouldNotContain(Key);
    }
}
