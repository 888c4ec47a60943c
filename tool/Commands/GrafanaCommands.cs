using System.Text.Json.Nodes;
using Cocona;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.Commands;

/// <summary>`grafana push`.</summary>
public sealed class GrafanaCommands
{
    [Command("push", Description = "Create or update the dashboards (and with --datasource the datasource) in Grafana through its HTTP API")]
    public async Task<int> Push(GlobalOptions global,
        [Option(Description = "Also create or update the Postgres datasource (password from GRAFANA_READER_PASSWORD)")] bool datasource = false)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var config = instance.Config;
        var files = GrafanaKit.Render(instance, Terminal.Warning);
        var readerPassword = Invocation.Current.Variable("GRAFANA_READER_PASSWORD") ?? config.Grafana.ReaderPassword ?? "";
        Terminal.Redactor = Terminal.Redactor.With(readerPassword); // read here, outside the config
        JsonObject? source = null;
        if (datasource)
        {
            var provisioning = files.Single(f => f.Path == "provisioning/datasources/token-telemetry.yaml").Content;
            string Field(string key) => provisioning.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Trim('"');
            source = new JsonObject
            {
                ["name"] = config.Grafana.DatasourceName, ["uid"] = config.Grafana.DatasourceUid, ["type"] = "grafana-postgresql-datasource",
                ["access"] = "proxy", ["url"] = Field("url"), ["user"] = Field("user"),
                ["jsonData"] = new JsonObject { ["database"] = Field("database"), ["sslmode"] = Field("sslmode"), ["postgresVersion"] = 1500 },
                ["secureJsonData"] = new JsonObject { ["password"] = readerPassword },
            };
        }
        using var client = new GrafanaClient(config.Grafana, TimeSpan.FromSeconds(config.Scheduler.HttpTimeoutSeconds), redactor: Terminal.Redactor);
        foreach (var line in await client.PushAsync(files.Where(f => f.Path.StartsWith("dashboards/", StringComparison.Ordinal)).ToList(), source, ProcessLifetime.Token))
            Terminal.Out(line);
        return ExitCodes.Ok;
    }
}
