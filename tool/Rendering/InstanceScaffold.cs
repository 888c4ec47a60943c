using Scriban.Runtime;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Rendering;

/// <summary>The files of a new instance folder — config.yaml, .env.example, .gitignore — rendered from templates/instance.</summary>
public static class InstanceScaffold
{
    /// <summary>File name → content, in the order they are written.</summary>
    public static IReadOnlyList<(string FileName, string Content)> Render(InitOptions options)
    {
        var model = new ScriptObject
        {
            ["name"] = options.Name,
            ["postgres"] = new ScriptObject
            {
                ["embedded"] = options.Embedded,
                ["url"] = options.Url,
                ["host"] = options.Host,
                ["port"] = options.Port,
                ["embedded_port"] = options.EmbeddedPort,
                ["database"] = options.Database,
                ["user"] = options.User,
                ["schema"] = options.Schema,
            },
            ["reader_role"] = options.ReaderRole,
            ["variables"] = Variables(options).Select(v => new ScriptObject { ["name"] = v.Name, ["purpose"] = v.Purpose }).ToList(),
        };
        model.Import("has_source", new Func<string, bool>(kind => options.Sources.Contains(kind)));
        return
        [
            ("config.yaml", TemplateRenderer.Render("instance/config.yaml.sbn", model)),
            (".env.example", TemplateRenderer.Render("instance/env.example.sbn", model)),
            (".gitignore", TemplateRenderer.Render("instance/gitignore.sbn", model)),
        ];
    }

    /// <summary>Every environment variable the chosen Postgres and sources read, with why.</summary>
    public static IEnumerable<(string Name, string Purpose)> Variables(InitOptions options)
    {
        if (!options.Embedded) yield return ("TT_PG_PASSWORD", "Password of the Postgres user in config.yaml (postgres.password).");
        foreach (var source in options.Sources)
        {
            switch (source)
            {
                case "litellm":
                    yield return ("PROMETHEUS_USERNAME", "Optional: Prometheus basic-auth user (sources.litellm).");
                    yield return ("PROMETHEUS_PASSWORD", "Optional: Prometheus basic-auth password (sources.litellm).");
                    yield return ("PROMETHEUS_BEARER_TOKEN", "Optional: Prometheus bearer token (sources.litellm).");
                    break;
                case "openai":
                    yield return ("OPENAI_ADMIN_KEY", "OpenAI admin key, for the Usage and Costs APIs (sources.openai).");
                    break;
                case "anthropic":
                    yield return ("ANTHROPIC_ADMIN_KEY", "Anthropic admin key, for the usage and cost reports (sources.anthropic).");
                    break;
                case "copilot":
                    yield return ("GITHUB_TOKEN", "GitHub token that can read Copilot metrics and billing (sources.copilot).");
                    yield return ("GITHUB_COPILOT_ORG", "GitHub organization whose Copilot usage to read (or set sources.copilot.enterprise).");
                    break;
            }
        }
        yield return ("GRAFANA_TOKEN", "Optional: Grafana service-account token for `grafana push`.");
        yield return ("GRAFANA_READER_PASSWORD", options.ReaderRole is null
            ? "Optional: password of the read-only role Grafana connects as (grafana.reader_role)."
            : $"Password of {options.ReaderRole}, the read-only role Grafana connects as (grafana.reader_role).");
    }
}
