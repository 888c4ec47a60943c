using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`grafana push` against a local HTTP server that plays Grafana and records every call.</summary>
public sealed class GrafanaPushTests
{
    private sealed class FakeGrafana
    {
        public ConcurrentQueue<(string Call, string? Body, string? Auth)> Calls { get; } = new();
        public bool FolderExists { get; set; }
        public bool DatasourceExists { get; set; }
        public string Version { get; set; } = "10.4.1";
        public int Status { get; set; } = 200;

        public async Task Handle(HttpListenerContext c)
        {
            var body = c.Request.HasEntityBody ? await new StreamReader(c.Request.InputStream).ReadToEndAsync() : null;
            var call = $"{c.Request.HttpMethod} {c.Request.Url!.AbsolutePath}";
            Calls.Enqueue((call, body, c.Request.Headers["Authorization"]));
            if (Status != 200) { await FixtureHttpServer.Respond(c, Status, """{"message":"nope"}"""); return; }
            switch (call)
            {
                case "GET /api/health": await FixtureHttpServer.Respond(c, 200, $$"""{"database":"ok","version":"{{Version}}"}"""); break;
                case "GET /api/folders/token-telemetry": await FixtureHttpServer.Respond(c, FolderExists ? 200 : 404, """{"message":"folder not found"}"""); break;
                case "POST /api/folders": FolderExists = true; await FixtureHttpServer.Respond(c, 200, """{"uid":"token-telemetry"}"""); break;
                case "GET /api/datasources/uid/token-telemetry-pg": await FixtureHttpServer.Respond(c, DatasourceExists ? 200 : 404, "{}"); break;
                case "POST /api/datasources": DatasourceExists = true; await FixtureHttpServer.Respond(c, 200, "{}"); break;
                case "PUT /api/datasources/uid/token-telemetry-pg": await FixtureHttpServer.Respond(c, 200, "{}"); break;
                case "POST /api/dashboards/db": await FixtureHttpServer.Respond(c, 200, """{"status":"success"}"""); break;
                default: await FixtureHttpServer.Respond(c, 404, """{"message":"Not found"}"""); break;
            }
        }
    }

    private static async Task<(CliInstance, FixtureHttpServer, FakeGrafana)> SetupAsync()
    {
        var grafana = new FakeGrafana();
        var server = new FixtureHttpServer(grafana.Handle);
        var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false",
            $"grafana:\n  url: {server.BaseUrl}\n  token: ${{GRAFANA_TOKEN}}\n  reader_role: tt_reader",
            new Dictionary<string, string> { ["GRAFANA_TOKEN"] = "glsa_test_token", ["GRAFANA_READER_PASSWORD"] = "reader-secret" });
        return (instance, server, grafana);
    }

    [Fact]
    public async Task A_first_push_creates_folder_and_datasource_and_a_second_push_updates_the_same()
    {
        var (instance, server, grafana) = await SetupAsync();
        using var _ = instance;
        using var __ = server;

        var first = await instance.RunAsync("grafana", "push", "--datasource");
        first.ExitCode.ShouldBe(0, first.Stderr);
        grafana.Calls.Select(c => c.Call).ShouldBe([
            "GET /api/health", "GET /api/folders/token-telemetry", "POST /api/folders", "GET /api/datasources/uid/token-telemetry-pg", "POST /api/datasources",
            "POST /api/dashboards/db", "POST /api/dashboards/db", "POST /api/dashboards/db", "POST /api/dashboards/db",
        ]);
        grafana.Calls.ShouldAllBe(c => c.Auth == "Bearer glsa_test_token");
        var datasource = JsonNode.Parse(grafana.Calls.Single(c => c.Call == "POST /api/datasources").Body!)!;
        datasource["user"]!.GetValue<string>().ShouldBe("tt_reader");
        datasource["secureJsonData"]!["password"]!.GetValue<string>().ShouldBe("reader-secret");
        var dashboard = JsonNode.Parse(grafana.Calls.First(c => c.Call == "POST /api/dashboards/db").Body!)!;
        dashboard["overwrite"]!.GetValue<bool>().ShouldBeTrue();
        dashboard["folderUid"]!.GetValue<string>().ShouldBe("token-telemetry");
        dashboard["dashboard"]!["uid"]!.GetValue<string>().ShouldBe("tt-overview");
        (first.Stdout + first.Stderr).ShouldNotContain("reader-secret");
        (first.Stdout + first.Stderr).ShouldNotContain("glsa_test_token");

        while (grafana.Calls.TryDequeue(out var ___)) { }
        var second = await instance.RunAsync("grafana", "push", "--datasource");
        second.ExitCode.ShouldBe(0, second.Stderr);
        grafana.Calls.Select(c => c.Call).ShouldBe([
            "GET /api/health", "GET /api/folders/token-telemetry", "GET /api/datasources/uid/token-telemetry-pg", "PUT /api/datasources/uid/token-telemetry-pg",
            "POST /api/dashboards/db", "POST /api/dashboards/db", "POST /api/dashboards/db", "POST /api/dashboards/db",
        ]);
    }

    [Fact]
    public async Task An_old_grafana_and_a_bad_token_are_clear_one_line_errors()
    {
        var (instance, server, grafana) = await SetupAsync();
        using var _ = instance;
        using var __ = server;
        grafana.Version = "9.5.2";
        var old = await instance.RunAsync("grafana", "push");
        old.ExitCode.ShouldBe(1);
        old.StderrLines.ShouldContain("error: Grafana 9.5.2 is older than 10.2.3 (the dashboards use the grafana-postgresql-datasource plugin id of Grafana 10.2.3+; upgrade Grafana or import them by hand)");

        grafana.Status = 401;
        var unauthorized = await instance.RunAsync("grafana", "push");
        unauthorized.ExitCode.ShouldBe(1);
        unauthorized.StderrLines.ShouldContain("error: Grafana rejected the token (401 on GET /api/health) (set GRAFANA_TOKEN to a valid service-account token of this Grafana)");

        grafana.Status = 403;
        (await instance.RunAsync("grafana", "push")).StderrLines.ShouldContain(l => l.StartsWith("error: the token may not GET /api/health (403)", StringComparison.Ordinal));
    }
}
