using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// Configured secrets never leave the process: a provider or Grafana that echoes the key it was sent (in an error
/// body), or a base_url written with a password, shows up neither on the console nor in watchdog_status — which the
/// Grafana reader role and every dashboard can read. Real CLI runs against servers on 127.0.0.1.
/// </summary>
public sealed class RedactionTests
{
    private const string AdminKey = "sk-admin-Zq7vN2xR9tLw4Hs8Kp3Jm6Df";
    private const string Echo = "Incorrect API key provided: " + AdminKey + ". Find your API key in the dashboard.";

    [Theory]
    [InlineData(400, "HTTP 400 Bad Request (Incorrect API key provided: [redacted]. Find your API key in the dashboard.)")]
    [InlineData(401, "401 Unauthorized — the OpenAI admin key (sources.openai.admin_key, OPENAI_ADMIN_KEY) is missing, wrong or revoked")]
    [InlineData(500, "HTTP 500 Internal Server Error (Incorrect API key provided: [redacted]. Find your API key in the dashboard.), still after retries — the provider is failing; it is retried next cycle")]
    public async Task An_admin_key_echoed_in_an_error_body_reaches_neither_the_console_nor_watchdog_status(int status, string expected)
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, status, $$"""{"error":"{{Echo}}"}"""));
        using var instance = await CliInstance.CreateAsync($$"""
            openai:
              enabled: true
              base_url: {{server.BaseUrl}}
              admin_key: ${OPENAI_ADMIN_KEY}
            """, environment: new Dictionary<string, string> { ["OPENAI_ADMIN_KEY"] = AdminKey });

        var collect = await instance.RunAsync("collect", "--verbose");
        var watchdog = await instance.RunAsync("watchdog", "--json");

        collect.ExitCode.ShouldBe(2, collect.Stderr);
        var message = $"GET {server.BaseUrl}v1/organization/usage/completions: {expected}";
        collect.StdoutLines.ShouldContain($"openai         failed   {message}");
        (await StoredMessageAsync(instance, "openai")).ShouldBe(message);
        watchdog.ExitCode.ShouldBe(1);
        foreach (var text in new[] { collect.Stdout, collect.Stderr, watchdog.Stdout, watchdog.Stderr })
            text.ShouldNotContain(AdminKey);
    }

    [Fact]
    public async Task A_password_written_into_base_url_is_not_shown_in_errors()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 404, """{"error":"no such route"}"""));
        var withPassword = server.BaseUrl.Replace("http://", "http://proxy:${PROXY_PASSWORD}@", StringComparison.Ordinal);
        using var instance = await CliInstance.CreateAsync($$"""
            openai:
              enabled: true
              base_url: {{withPassword}}
              admin_key: ${OPENAI_ADMIN_KEY}
            """, environment: new Dictionary<string, string> { ["OPENAI_ADMIN_KEY"] = AdminKey, ["PROXY_PASSWORD"] = "proxy-pw-8675309" });

        var collect = await instance.RunAsync("collect");

        var message = $"GET {server.BaseUrl}v1/organization/usage/completions: 404 Not Found — check base_url and the organization/enterprise name";
        collect.StdoutLines.ShouldContain($"openai         failed   {message}");
        (await StoredMessageAsync(instance, "openai")).ShouldBe(message);
        (collect.Stdout + collect.Stderr).ShouldNotContain("proxy-pw-8675309");
    }

    [Fact]
    public async Task A_token_and_reader_password_echoed_by_grafana_stay_out_of_the_error()
    {
        const string token = "glsa_Echo3dT0kenValue_41f2";
        const string readerPassword = "reader-Secret-7731";
        using var server = new FixtureHttpServer(async c =>
        {
            var call = $"{c.Request.HttpMethod} {c.Request.Url!.AbsolutePath}";
            var (code, body) = call switch
            {
                "GET /api/health" => (200, """{"version":"11.3.0"}"""),
                "GET /api/folders/token-telemetry" => (200, "{}"),
                "GET /api/datasources/uid/token-telemetry-pg" => (404, """{"message":"not found"}"""),
                _ => (400, $$"""{"message":"bad request from {{c.Request.Headers["Authorization"]}} with password {{readerPassword}}"}"""),
            };
            await FixtureHttpServer.Respond(c, code, body);
        });
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false",
            $"grafana:\n  url: {server.BaseUrl}\n  token: ${{GRAFANA_TOKEN}}\n  reader_role: tt_reader",
            new Dictionary<string, string> { ["GRAFANA_TOKEN"] = token, ["GRAFANA_READER_PASSWORD"] = readerPassword });

        var push = await instance.RunAsync("grafana", "push", "--datasource");

        push.ExitCode.ShouldBe(1);
        push.StderrLines.ShouldBe([
            "error: Grafana answered 400 to POST /api/datasources: bad request from Bearer [redacted] with password [redacted] (see Grafana's log)",
        ]);
        (push.Stdout + push.Stderr).ShouldNotContain(token);
        (push.Stdout + push.Stderr).ShouldNotContain(readerPassword);
    }

    private static async Task<string> StoredMessageAsync(CliInstance instance, string source)
    {
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        return await connection.ExecuteScalarAsync<string>(
            "SELECT message FROM telemetry.watchdog_status WHERE source_system = @source", new { source }) ?? "(none)";
    }
}
