using System.Text.Json;
using Scriban.Runtime;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using YamlDotNet.RepresentationModel;

namespace TokenTelemetry.Rendering;

/// <summary>
/// Renders an instance's Grafana kit from templates/grafana: the four dashboards (panels and their SQL in
/// panels.yaml.sbn, JSON in dashboard.json.sbn; schema-qualified, Grafana Postgres macros, a datasource variable
/// defaulting to the configured uid, `__inputs` for UI import) and the provisioning files. Same input, same bytes.
/// </summary>
public static class GrafanaKit
{
    /// <param name="MaxDataPoints">Grafana's "Max data points" (0 = its default, the panel's width): it sets $__interval,
    /// range / max_data_points rounded, and a 1-day interval or more lets usage_cells() read the daily rollup.</param>
    public sealed record Panel(int Id, string Title, string Type, string Unit, bool Stacked, string Format, string Sql, int X, int Y, int W, int H,
        bool StatusColors = false, int MaxDataPoints = 0);
    public sealed record Dashboard(string Uid, string Title, IReadOnlyList<Panel> Panels);
    public sealed record Variable(string Name, string Sql);

    public static (IReadOnlyList<Dashboard> Dashboards, IReadOnlyList<Variable> Variables) Definitions(string schema)
    {
        // The panel SQL sits in YAML double-quoted scalars: the quoted identifier with its quotes escaped.
        var quoted = new Database.SchemaName(schema).Quoted.Replace("\"", "\\\"", StringComparison.Ordinal);
        var yaml = TemplateRenderer.Render("grafana/panels.yaml.sbn", new ScriptObject { ["schema"] = quoted, ["reconcile_sql"] = Verification.ReconcileSql.ForGrafana(quoted) });
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        static string S(YamlMappingNode node, string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value ?? "" : "";
        var dashboards = new List<Dashboard>();
        foreach (YamlMappingNode d in (YamlSequenceNode)root.Children[new YamlScalarNode("dashboards")])
        {
            var panels = new List<Panel>();
            int x = 0, y = 0, rowHeight = 0, id = 1;
            foreach (YamlMappingNode p in (YamlSequenceNode)d.Children[new YamlScalarNode("panels")])
            {
                var w = int.Parse(S(p, "w"), System.Globalization.CultureInfo.InvariantCulture);
                var h = int.Parse(S(p, "h"), System.Globalization.CultureInfo.InvariantCulture);
                if (x + w > 24) { x = 0; y += rowHeight; rowHeight = 0; }
                var points = S(p, "max_data_points") is { Length: > 0 } mdp ? int.Parse(mdp, System.Globalization.CultureInfo.InvariantCulture) : 0;
                panels.Add(new Panel(id++, S(p, "title"), S(p, "type"), S(p, "unit"), S(p, "stacked") == "true", S(p, "format"), S(p, "sql"), x, y, w, h,
                    S(p, "status_colors") == "true", points));
                x += w;
                rowHeight = Math.Max(rowHeight, h);
            }
            dashboards.Add(new Dashboard(S(d, "uid"), S(d, "title"), panels));
        }
        var variables = ((YamlSequenceNode)root.Children[new YamlScalarNode("variables")])
            .Cast<YamlMappingNode>().Select(v => new Variable(S(v, "name"), S(v, "sql"))).ToList();
        return (dashboards, variables);
    }

    /// <summary>Relative path → content, in a fixed order.</summary>
    /// <param name="deployDirectory">Where the instance will live on the host that runs it (the folder holding
    /// instances/); units and crontab name it. Default: the current directory, with the instance where it is.</param>
    /// <param name="tool">How schedules start the tool. Default: the running tool (<see cref="ScheduledTool.Resolve"/>).</param>
    public static IReadOnlyList<(string Path, string Content)> Render(Instance instance, Action<string>? warn = null, string? deployDirectory = null,
        ScheduledTool? tool = null)
    {
        var config = instance.Config;
        var (dashboards, variables) = Definitions(config.Postgres.Schema);
        var files = new List<(string, string)>();
        foreach (var dashboard in dashboards)
        {
            var model = Model();
            model["dashboard"] = dashboard;
            model["variables"] = variables;
            model["datasource_uid"] = config.Grafana.DatasourceUid;
            model["datasource_name"] = config.Grafana.DatasourceName;
            files.Add(($"dashboards/{dashboard.Uid}.json", TemplateRenderer.Render("grafana/dashboard.json.sbn", model)));
        }
        var reader = config.Grafana.ReaderRole;
        if (string.IsNullOrEmpty(reader))
        {
            warn?.Invoke("grafana.reader_role is not set: the datasource names the role grafana_reader — set reader_role and run migrate to create it");
            reader = "grafana_reader";
        }
        var pg = config.Postgres;
        var hostPort = pg.Embedded
            ? $"127.0.0.1:{pg.Port ?? EmbeddedPostgres.ReadState(instance.EmbeddedStatePath)?.Port ?? 5432}"
            : !string.IsNullOrEmpty(pg.Url) && Uri.TryCreate(pg.Url, UriKind.Absolute, out var u) ? $"{u.Host}:{(u.Port > 0 ? u.Port : 5432)}" : $"{pg.Host}:{pg.ServerPort}";
        var provisioning = Model();
        provisioning["instance"] = instance.Name;
        provisioning["datasource_name"] = config.Grafana.DatasourceName;
        provisioning["datasource_uid"] = config.Grafana.DatasourceUid;
        provisioning["host_port"] = hostPort;
        provisioning["reader_user"] = reader;
        provisioning["database"] = pg.Database;
        provisioning["ssl_mode"] = GrafanaSslMode.For(pg, warn);
        provisioning["folder"] = config.Grafana.Folder;
        files.Add(("provisioning/datasources/token-telemetry.yaml", TemplateRenderer.Render("grafana/datasource.yaml.sbn", provisioning)));
        files.Add(("provisioning/dashboards/token-telemetry.yaml", TemplateRenderer.Render("grafana/dashboards-provider.yaml.sbn", provisioning)));
        var instanceDirectory = deployDirectory is null ? instance.Directory : Path.Combine(deployDirectory, "instances", instance.Name);
        files.AddRange(Operations(instance, reader, hostPort, deployDirectory ?? Invocation.Current.WorkingDirectory, instanceDirectory, tool ?? ScheduledTool.Resolve()));
        return files;
    }

    /// <summary>The watchdog script, crontab, systemd units and the Next.js route.</summary>
    private static IEnumerable<(string, string)> Operations(Instance instance, string reader, string hostPort, string deployDirectory,
        string instanceDirectory, ScheduledTool tool)
    {
        var config = instance.Config;
        var enabled = config.Sources.Enabled().ToList();
        var interval = config.Scheduler.Interval;
        var model = Model();
        model["instance"] = instance.Name;
        ScheduleModel.Add(model, instanceDirectory, deployDirectory, tool);
        model["host"] = hostPort.Split(':')[0];
        model["port"] = hostPort.Split(':')[1];
        model["database"] = config.Postgres.Database;
        model["user"] = reader;
        model["schema"] = config.Postgres.Schema;
        model["schema_quoted"] = new Database.SchemaName(config.Postgres.Schema).Quoted;
        model["sources"] = string.Join(" ", enabled.Select(e => e.Name));
        model["heartbeat_threshold"] = Collection.Liveness.HeartbeatThresholdSeconds(config.Scheduler);
        model["default_threshold"] = Collection.Liveness.ThresholdSeconds(config, "(default)", Usage.Granularity.Hour);
        model["thresholds"] = enabled.Select(e => new ScriptObject { ["name"] = e.Name, ["seconds"] = Collection.Liveness.ThresholdSeconds(config, e.Name, Sources.SourceGranularity.Of(e.Name, e.Config)) }).ToList();
        model["paused"] = config.Watchdog.Paused.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ScriptObject { ["name"] = p.Key, ["message"] = "'" + p.Value.Replace("'", "'\\''", StringComparison.Ordinal) + "'" }).ToList();
        model["interval"] = Durations.Format(interval);
        (model["collect_cron"], model["collect_calendar"]) = interval.TotalMinutes switch
        {
            < 60 => ($"*/{(int)interval.TotalMinutes} * * * *", $"*:0/{(int)interval.TotalMinutes}"),
            < 1440 => ($"5 */{(int)interval.TotalHours} * * *", $"*-*-* 0/{(int)interval.TotalHours}:05:00"),
            _ => ("5 0 * * *", "*-*-* 00:05:00"),
        };
        yield return ("ops/watchdog.sh", TemplateRenderer.Render("ops/watchdog.sh.sbn", model));
        yield return ("ops/crontab", TemplateRenderer.Render("ops/crontab.sbn", model));
        yield return ("ops/systemd/token-telemetry-collect.service", TemplateRenderer.Render("ops/collect.service.sbn", model));
        yield return ("ops/systemd/token-telemetry-collect.timer", TemplateRenderer.Render("ops/collect.timer.sbn", model));
        yield return ("ops/systemd/token-telemetry-collect-daemon.service", TemplateRenderer.Render("ops/collect-daemon.service.sbn", model));
        yield return ("ops/systemd/token-telemetry-watchdog.service", TemplateRenderer.Render("ops/watchdog.service.sbn", model));
        yield return ("ops/systemd/token-telemetry-watchdog.timer", TemplateRenderer.Render("ops/watchdog.timer.sbn", model));
        yield return ("nextjs/app/api/token-usage/route.ts", TemplateRenderer.Render("nextjs/route.ts.sbn", model));
    }

    private static ScriptObject Model()
    {
        var model = new ScriptObject();
        model.Import("json", new Func<object?, string>(v => JsonSerializer.Serialize(v)));
        return model;
    }
}
