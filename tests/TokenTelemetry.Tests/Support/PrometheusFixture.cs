namespace TokenTelemetry.Tests.Support;

/// <summary>
/// One Prometheus for the tests of a class that read the same generated data (xunit runs them one after another),
/// stopped when the class is done: each start costs a promtool block build and a first self-scrape.
/// </summary>
public sealed class PrometheusFixture : IDisposable
{
    private Task<PrometheusServer>? _server;

    /// <summary>The server holding <paramref name="openMetrics"/>; the first call starts it, later calls must pass the same data.</summary>
    public Task<PrometheusServer> StartOnceAsync(string openMetrics) => _server ??= PrometheusServer.StartAsync(openMetrics);

    public void Dispose()
    {
        if (_server is { IsCompletedSuccessfully: true }) _server.Result.Dispose();
    }
}
