using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The embedded cluster's port is settable: postgres.port with embedded: true, and demo --port
/// (on main the first was ignored for a random free port and the second was an unknown option).</summary>
public sealed class EmbeddedPortTests
{
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void SetPort(string configPath, int port) =>
        File.WriteAllText(configPath, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(configPath), @"\n  port:[^\n]*\n", $"\n  port: {port}\n"));

    private static async Task<int> ServerPortAsync(string instanceDir, int port)
    {
        var state = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(instanceDir, ".embedded-postgres.json"))).RootElement;
        state.GetProperty("port").GetInt32().ShouldBe(port);
        var connection = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = state.GetProperty("password").GetString(), Database = "postgres", Pooling = false };
        await using var db = new NpgsqlConnection(connection.ConnectionString);
        return int.Parse(await db.ExecuteScalarAsync<string>("SHOW port") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Postgres_port_puts_the_embedded_cluster_there_moves_it_on_restart_and_refuses_a_taken_one()
    {
        using var dir = new TempDirectory();
        (await Cli.RunAsync(dir.Path, "init", "emb", "--non-interactive")).ExitCode.ShouldBe(0);
        var config = dir.File("instances", "emb", "config.yaml");
        File.ReadAllText(config).ShouldContain("\n  embedded: true\n");
        File.ReadAllText(config).ShouldContain("\n  port:\n");
        try
        {
            var first = FreePort();
            SetPort(config, first);
            var start = await Cli.RunAsync(dir.Path, "db", "start", "--instance", "emb");
            start.ExitCode.ShouldBe(0, start.Stderr);
            start.StdoutLines[0].ShouldStartWith($"running: PostgreSQL ");
            start.StdoutLines[0].ShouldContain($" on 127.0.0.1:{first}, ");
            (await ServerPortAsync(dir.File("instances", "emb"), first)).ShouldBe(first);

            var second = FreePort();
            SetPort(config, second);
            (await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "emb")).StdoutLines.ShouldBe(["stopped"]);
            (await Cli.RunAsync(dir.Path, "db", "start", "--instance", "emb")).ExitCode.ShouldBe(0);
            (await ServerPortAsync(dir.File("instances", "emb"), second)).ShouldBe(second);

            (await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "emb")).StdoutLines.ShouldBe(["stopped"]);
            using var squatter = new TcpListener(IPAddress.Loopback, second);
            squatter.Start();
            var taken = await Cli.RunAsync(dir.Path, "migrate", "--instance", "emb");
            taken.ExitCode.ShouldBe(1);
            taken.StderrLines.ShouldBe([$"error: port {second} (postgres.port) is taken by another process, so the embedded Postgres cannot listen there (choose another postgres.port, or leave it empty to let the tool pick a free port)"]);
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "emb");
        }
    }

    [Fact]
    public async Task Demo_port_runs_the_demo_cluster_on_that_port_and_a_different_port_later_needs_reset()
    {
        using var dir = new TempDirectory();
        var port = FreePort();
        try
        {
            var demo = await Cli.RunAsync(dir.Path, "demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            demo.ExitCode.ShouldBe(0, demo.Stderr);
            demo.StderrLines.ShouldContain(l => l.EndsWith($" on 127.0.0.1:{port}", StringComparison.Ordinal));
            File.ReadAllText(dir.File("instances", "demo", "config.yaml")).ShouldContain($"\n  port: {port}\n");
            (await ServerPortAsync(dir.File("instances", "demo"), port)).ShouldBe(port);

            var other = port == 65535 ? port - 1 : port + 1;
            var again = await Cli.RunAsync(dir.Path, "demo", "--port", other.ToString(System.Globalization.CultureInfo.InvariantCulture));
            again.ExitCode.ShouldBe(1);
            again.StderrLines[^1].ShouldBe($"error: instances/demo already exists with postgres.port {port} (run `demo --reset --port {other}` to start over on port {other}, or set postgres.port in instances/demo/config.yaml)");
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "demo");
        }
    }
}
