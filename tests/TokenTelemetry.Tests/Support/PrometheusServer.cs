using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// A real Prometheus (Debian's package, installed by .ci/run) on 127.0.0.1 and a free port, its TSDB built by
/// `promtool tsdb create-blocks-from openmetrics` from a file the test writes, scraping only itself. Missing binaries
/// are a failing test, not a skipped one.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _dir = new();

    public string BaseUrl { get; }

    private PrometheusServer(string openMetrics, string[] extraArguments)
    {
        var data = _dir.File("tsdb");
        var input = _dir.File("data.om");
        File.WriteAllText(input, openMetrics);
        Run("promtool", "tsdb", "create-blocks-from", "openmetrics", input, data);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        File.WriteAllText(_dir.File("prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
            """);
        var info = new ProcessStartInfo("prometheus") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[$"--config.file={_dir.File("prometheus.yml")}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
                     "--storage.tsdb.retention.time=3650d", .. extraArguments])
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static async Task<PrometheusServer> StartAsync(string openMetrics, params string[] extraArguments)
    {
        var server = new PrometheusServer(openMetrics, extraArguments);
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                // Ready, and has scraped itself at least once (the retention probe reads that gauge).
                var answer = await client.GetStringAsync($"{server.BaseUrl}/api/v1/query?query=prometheus_tsdb_lowest_timestamp_seconds");
                if ((await client.GetAsync($"{server.BaseUrl}/-/ready")).IsSuccessStatusCode && answer.Contains("\"value\"", StringComparison.Ordinal)) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        server.Dispose();
        throw new InvalidOperationException("Prometheus did not become ready within 30 s");
    }

    public async Task<double> QueryCountAsync()
    {
        using var client = new HttpClient();
        var json = await client.GetStringAsync($"{BaseUrl}/api/v1/query?query={Uri.EscapeDataString("sum(prometheus_http_requests_total{handler=\"/api/v1/query\"})")}");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{file} is not installed (apt-get install prometheus)");
        var stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {stderr}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
