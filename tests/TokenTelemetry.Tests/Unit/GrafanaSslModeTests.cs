using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>The rendered datasource's sslmode is one every supported Grafana accepts (lib/pq before Grafana 12.4:
/// disable, require, verify-ca, verify-full); prefer and allow are mapped explicitly, with a warning.</summary>
public sealed class GrafanaSslModeTests
{
    private const string PreferWarning = "the Grafana datasource uses sslmode require for postgres.ssl_mode prefer, which Grafana's Postgres driver "
        + "before 12.4 does not know (it takes disable, require, verify-ca or verify-full): set ssl_mode to require (or disable, for a server without TLS) to say which you mean";

    private const string AllowWarning = "the Grafana datasource uses sslmode disable for postgres.ssl_mode allow, which Grafana's Postgres driver "
        + "before 12.4 does not know (it takes disable, require, verify-ca or verify-full): set ssl_mode to disable (or require, for a server with TLS) to say which you mean";

    [Theory]
    [InlineData("host: db\n  ssl_mode: disable", "disable", null)]
    [InlineData("host: db\n  ssl_mode: allow", "disable", AllowWarning)]
    [InlineData("host: db\n  ssl_mode: prefer", "require", PreferWarning)]
    [InlineData("host: db", "require", PreferWarning)] // prefer is the default
    [InlineData("host: db\n  ssl_mode: require", "require", null)]
    [InlineData("host: db\n  ssl_mode: verify-ca", "verify-ca", null)]
    [InlineData("host: db\n  ssl_mode: verify-full", "verify-full", null)]
    [InlineData("url: postgres://tt@db:5432/usage?sslmode=verify-full\n  ssl_mode: prefer", "verify-full", null)]
    [InlineData("url: postgres://tt@db:5432/usage?application_name=x&sslmode=prefer", "require", PreferWarning)]
    [InlineData("url: postgres://tt@db:5432/usage?sslmode=1\n  ssl_mode: disable", "disable", null)] // not a mode name: ignored
    [InlineData("embedded: true\n  ssl_mode: verify-full", "disable", null)] // 127.0.0.1, no TLS
    public void The_datasource_gets_a_mode_every_grafana_knows(string postgres, string expected, string? warning)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.yaml"), $"postgres:\n  {postgres}\ngrafana:\n  reader_role: tt_reader\n");
        var instance = InstanceLocator.Load(dir.Path, dir.Path, requireSources: false, environment: _ => null);
        var warnings = new List<string>();

        var datasource = GrafanaKit.Render(instance, warnings.Add).Single(f => f.Path == "provisioning/datasources/token-telemetry.yaml").Content;

        datasource.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("sslmode:", StringComparison.Ordinal)).ShouldBe([$"sslmode: \"{expected}\""]);
        warnings.ShouldBe(warning is null ? [] : [warning]);
    }
}
