using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Http;

/// <summary>
/// The one HTTP pipeline every source uses (Microsoft.Extensions.Http.Resilience on Polly): a deadline per attempt,
/// bounded retries with exponential backoff and jitter on 408/429/5xx, timeouts and connection errors, honouring
/// Retry-After. Errors become <see cref="SourceException"/>s that name the request and the fix, never a credential:
/// their text passes through the instance's redactor, since a provider's error body may echo the key it was sent.
/// </summary>
public sealed class SourceHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly string _credentialHint;
    private readonly SecretRedactor _redactor;

    public SourceHttp(HttpOptions options, string credentialHint, Action<HttpRequestHeaders> authenticate, HttpMessageHandler? inner = null)
    {
        _credentialHint = credentialHint;
        _redactor = options.Redactor;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldRetryAfterHeader = true,
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.Deadline })
            .Build();
        var handler = new ResilienceHandler(pipeline) { InnerHandler = inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd($"token-telemetry/{ToolInfo.Version}");
        authenticate(_client.DefaultRequestHeaders);
    }

    public async Task<JsonDocument> GetJsonAsync(string url, CancellationToken ct)
    {
        var bytes = await GetBytesAsync(url, ct);
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Fail($"GET {Describe(url)} returned malformed JSON ({e.Message.Split(". ")[0]}); the provider or a proxy in between sent something else — retry later or check base_url");
        }
    }

    public async Task<byte[]> GetBytesAsync(string url, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _client.GetAsync(url, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw Fail(e is HttpRequestException
                ? $"GET {Describe(url)} failed after retries: {e.Message} — check base_url and the network"
                : $"GET {Describe(url)} did not answer within the deadline, after retries — raise scheduler.http_timeout_seconds or check the provider's status", e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            var detail = await ErrorDetailAsync(response, ct);
            throw Fail(response.StatusCode, response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => $"GET {Describe(url)}: 401 Unauthorized — {_credentialHint} is missing, wrong or revoked",
                HttpStatusCode.Forbidden => $"GET {Describe(url)}: 403 Forbidden — {_credentialHint} lacks the permission this endpoint needs",
                HttpStatusCode.NotFound => $"GET {Describe(url)}: 404 Not Found — check base_url and the organization/enterprise name",
                HttpStatusCode.TooManyRequests => $"GET {Describe(url)}: 429 Too Many Requests, still after retries — lower the collection frequency",
                _ => $"GET {Describe(url)}: HTTP {status} {response.ReasonPhrase}{detail}{(status >= 500 ? ", still after retries — the provider is failing; it is retried next cycle" : "")}",
            });
        }
    }

    /// <summary>The provider's own error text (a JSON "error"/"message" string), shortened; an echoed key is redacted by <see cref="Fail"/>.</summary>
    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            var root = document.RootElement;
            var text = root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()
                : root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return string.IsNullOrWhiteSpace(text) ? "" : $" ({(text.Length > 200 ? text[..200] + "…" : text)})";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private SourceException Fail(string message, Exception? inner = null) => new(_redactor.Redact(message), inner);

    private SourceException Fail(HttpStatusCode status, string message) => new(_redactor.Redact(message), httpStatus: status);

    /// <summary>The URL without its query string (it may carry identifiers but never belongs in an alert) and without
    /// any user and password written into it.</summary>
    private static string Describe(string url)
    {
        var q = url.IndexOf('?');
        return SecretRedactor.WithoutCredentials(q < 0 ? url : url[..q]);
    }

    public void Dispose() => _client.Dispose();
}
