using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Rendering;

/// <summary>
/// `grafana push` through Grafana's HTTP API: checks the version, creates the folder if missing, creates or updates the
/// datasource (optional; its password read from GRAFANA_READER_PASSWORD at push time, never stored), and saves every
/// dashboard with overwrite — so pushing twice leaves the same state. Errors say what to fix, never the token: they
/// pass through the instance's redactor (plus the token itself), since Grafana's messages may echo what it was sent.
/// </summary>
public sealed class GrafanaClient(GrafanaConfig config, TimeSpan deadline, HttpMessageHandler? handler = null, SecretRedactor? redactor = null)
    : IDisposable
{
    public const string FolderUid = "token-telemetry";
    private static readonly Version Oldest = new(10, 2, 3);
    private readonly HttpClient _http = CreateClient(config, deadline, handler);
    private readonly SecretRedactor _redactor = (redactor ?? SecretRedactor.None).With(config.Token, config.ReaderPassword);

    private static HttpClient CreateClient(GrafanaConfig config, TimeSpan deadline, HttpMessageHandler? handler)
    {
        if (string.IsNullOrEmpty(config.Url)) throw new TelemetryException("grafana.url is not set", "set grafana.url in config.yaml to the Grafana base URL");
        if (string.IsNullOrEmpty(config.Token)) throw new TelemetryException("grafana.token is empty", "set GRAFANA_TOKEN to a Grafana service-account token");
        var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.BaseAddress = new Uri(config.Url.TrimEnd('/') + "/");
        client.Timeout = deadline;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.Token);
        return client;
    }

    public async Task<IReadOnlyList<string>> PushAsync(IReadOnlyList<(string Path, string Content)> dashboards, JsonObject? datasource, CancellationToken ct)
    {
        var done = new List<string>();
        var (_, health) = await SendAsync(HttpMethod.Get, "api/health", null, ct);
        var versionText = health?["version"]?.GetValue<string>() ?? "";
        if (!Version.TryParse(versionText.Split('-', '+')[0], out var version) || version < Oldest)
            throw new TelemetryException($"Grafana {(versionText.Length == 0 ? "(unknown version)" : versionText)} is older than {Oldest}",
                "the dashboards use the grafana-postgresql-datasource plugin id of Grafana 10.2.3+; upgrade Grafana or import them by hand");
        done.Add($"Grafana {versionText}");

        if ((await SendAsync(HttpMethod.Get, $"api/folders/{FolderUid}", null, ct, allowNotFound: true)).Status == HttpStatusCode.NotFound)
        {
            await SendAsync(HttpMethod.Post, "api/folders", new JsonObject { ["uid"] = FolderUid, ["title"] = config.Folder }, ct);
            done.Add($"created folder '{config.Folder}'");
        }
        if (datasource is not null)
        {
            var exists = (await SendAsync(HttpMethod.Get, $"api/datasources/uid/{config.DatasourceUid}", null, ct, allowNotFound: true)).Status != HttpStatusCode.NotFound;
            await SendAsync(exists ? HttpMethod.Put : HttpMethod.Post, exists ? $"api/datasources/uid/{config.DatasourceUid}" : "api/datasources", datasource, ct);
            done.Add($"{(exists ? "updated" : "created")} datasource '{config.DatasourceName}'");
        }
        foreach (var (path, content) in dashboards)
        {
            var dashboard = JsonNode.Parse(content)!.AsObject();
            dashboard.Remove("__inputs");
            dashboard.Remove("__requires");
            dashboard["id"] = null;
            await SendAsync(HttpMethod.Post, "api/dashboards/db", new JsonObject
            {
                ["dashboard"] = dashboard, ["folderUid"] = FolderUid, ["overwrite"] = true, ["message"] = "token-telemetry grafana push",
            }, ct);
            done.Add($"saved {Path.GetFileName(path)}");
        }
        return done;
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw Fail($"cannot reach Grafana at {SecretRedactor.WithoutCredentials(_http.BaseAddress!.ToString())}: {e.Message}", "check grafana.url and that Grafana is running");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
                return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
            var message = TryMessage(text);
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => Fail($"Grafana rejected the token (401 on {method} /{path})", "set GRAFANA_TOKEN to a valid service-account token of this Grafana"),
                HttpStatusCode.Forbidden => Fail($"the token may not {method} /{path} (403)", "give the service account the Editor role for dashboards, Admin for --datasource"),
                HttpStatusCode.NotFound => Fail($"Grafana has no /{path} (404)", "check grafana.url: it must be Grafana's base URL, including any sub-path"),
                _ => Fail($"Grafana answered {(int)response.StatusCode} to {method} /{path}{message}", "see Grafana's log"),
            };
        }
    }

    private TelemetryException Fail(string message, string hint) => new(_redactor.Redact(message), _redactor.Redact(hint));

    private static string TryMessage(string text)
    {
        try { return JsonNode.Parse(text)?["message"]?.GetValue<string>() is { } m ? $": {m}" : ""; }
        catch (JsonException) { return ""; }
    }

    public void Dispose() => _http.Dispose();
}
