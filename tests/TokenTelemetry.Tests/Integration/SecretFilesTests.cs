using System.Text.RegularExpressions;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Files holding a secret are owner-only from the first byte, and a .env others can read draws a warning. The first is
/// watched at the system-call level (strace): a file created with 0666 and restricted a moment later is readable by
/// anyone in between, which the mode seen afterwards cannot show.
/// </summary>
public sealed partial class SecretFilesTests
{
    [GeneratedRegex("\"(?<path>[^\"]*)\", (?<flags>[A-Z_|]*O_CREAT[A-Z_|]*), (?<mode>0[0-7]+)")]
    private static partial Regex Creation();

    [Fact]
    public async Task The_embedded_clusters_password_file_and_state_file_are_created_with_mode_600()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "local", "--non-interactive")).ExitCode.ShouldBe(0);
        var log = dir.File("strace.log");
        // -b execve: follow the tool's threads and forks, let go of the programs it runs (initdb, pg_ctl and the
        // server, which outlives the command).
        try
        {
            var migrate = await Cli.RunWrappedAsync(["strace", "-f", "-b", "execve", "-qq", "-e", "trace=open,openat,creat", "-o", log], dir.Path, null, null, "migrate");
            migrate.ExitCode.ShouldBe(0, migrate.Stderr);
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop");
        }

        // Every creating open() of a file that holds the cluster's password (initdb's --pwfile, the state file), with the
        // mode it asked for.
        var created = File.ReadLines(log).Select(l => Creation().Match(l)).Where(m => m.Success)
            .Select(m => (Path: m.Groups["path"].Value, Mode: m.Groups["mode"].Value))
            .Where(c => c.Path.Contains("tt-pw-", StringComparison.Ordinal) || c.Path.Contains(".embedded-postgres.json", StringComparison.Ordinal))
            .ToList();
        created.Count.ShouldBe(2, string.Join("\n", created));
        created.ShouldAllBe(c => c.Mode == "0600");
        File.GetUnixFileMode(dir.File("instances", "local", ".embedded-postgres.json")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        created.Where(c => c.Path.Contains("tt-pw-", StringComparison.Ordinal)).ShouldAllBe(c => !File.Exists(c.Path)); // gone after initdb
    }

    [Fact]
    public async Task A_dotenv_that_others_can_read_draws_a_warning_and_an_owner_only_one_does_not()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "ext", "--non-interactive", "--pg-host", "127.0.0.1", "--pg-port", "1")).ExitCode.ShouldBe(0);
        var env = dir.File("instances", "ext", ".env");
        File.WriteAllText(env, "TT_PG_PASSWORD=s3cret-pg-password\n");

        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var loose = await Cli.RunAsync(dir.Path, "render", "--out", dir.File("kit"));
        loose.ExitCode.ShouldBe(0, loose.Stderr);
        loose.StderrLines.ShouldContain($"warning: {env} can be read by other users (mode 644) and holds secrets (chmod 600 {env})");

        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        (await Cli.RunAsync(dir.Path, "render", "--out", dir.File("kit"))).StderrLines
            .ShouldContain($"warning: {env} can be read by other users (mode 640) and holds secrets (chmod 600 {env})");

        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var owner = await Cli.RunAsync(dir.Path, "render", "--out", dir.File("kit"));
        owner.ExitCode.ShouldBe(0, owner.Stderr);
        owner.Stderr.ShouldNotContain(".env");
    }

    [Fact]
    public void A_rendered_kit_holds_none_of_the_configured_secrets()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.yaml"), """
            postgres:
              url: postgres://tt:${TT_PG_PASSWORD}@db.internal:5432/usage?sslmode=require
              password: ${TT_PG_PASSWORD}
            sources:
              openai:
                enabled: true
                admin_key: ${OPENAI_ADMIN_KEY}
              litellm:
                enabled: true
                base_url: http://scraper:${PROM_PASSWORD}@prom:9090
                bearer_token: ${PROM_TOKEN}
            grafana:
              url: http://grafana:3000
              token: ${GRAFANA_TOKEN}
              reader_role: tt_reader
              reader_password: ${GRAFANA_READER_PASSWORD}
            """);
        var environment = new Dictionary<string, string>
        {
            ["TT_PG_PASSWORD"] = "pg-Secret-1111", ["OPENAI_ADMIN_KEY"] = "sk-admin-Secret-2222", ["PROM_PASSWORD"] = "prom-Secret-3333",
            ["PROM_TOKEN"] = "prom-Token-4444", ["GRAFANA_TOKEN"] = "glsa_Secret_5555", ["GRAFANA_READER_PASSWORD"] = "reader-Secret-6666",
        };
        var instance = InstanceLocator.Load(dir.Path, dir.Path, requireSources: false, environment: environment.GetValueOrDefault);

        var files = GrafanaKit.Render(instance, _ => { }, "/srv/token-telemetry");

        files.Count.ShouldBeGreaterThanOrEqualTo(12);
        foreach (var (path, content) in files)
            foreach (var secret in environment.Values)
                content.ShouldNotContain(secret, customMessage: path);
        SecretRedactor.For(instance.Config).Redact(string.Join("\n", environment.Values)).ShouldBe(string.Join("\n", environment.Values.Select(_ => SecretRedactor.Mask)));
    }
}
