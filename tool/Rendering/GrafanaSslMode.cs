using TokenTelemetry.Configuration;

namespace TokenTelemetry.Rendering;

/// <summary>
/// The datasource's sslmode, always one every supported Grafana accepts: its Postgres driver before 12.4 (lib/pq)
/// knows disable, require, verify-ca and verify-full only. libpq's prefer (TLS when the server offers it) becomes
/// require and allow (plain first) becomes disable, each with a warning, rather than a value older Grafanas reject.
/// The mode comes from postgres.url's sslmode when the URL names one, as for the collector's own connection.
/// </summary>
public static class GrafanaSslMode
{
    public static string For(PostgresConfig pg, Action<string>? warn)
    {
        if (pg.Embedded) return "disable"; // 127.0.0.1 only, no TLS
        var mode = UrlSslMode(pg.Url) ?? pg.SslMode;
        var (label, unknown) = mode switch
        {
            SslMode.Prefer => ("require", "prefer"),
            SslMode.Allow => ("disable", "allow"),
            SslMode.VerifyCa => ("verify-ca", null),
            SslMode.VerifyFull => ("verify-full", null),
            _ => (mode.ToString().ToLowerInvariant(), (string?)null),
        };
        if (unknown is not null)
            warn?.Invoke($"the Grafana datasource uses sslmode {label} for postgres.ssl_mode {unknown}, which Grafana's Postgres driver before 12.4 "
                + $"does not know (it takes disable, require, verify-ca or verify-full): set ssl_mode to {label}"
                + (label == "require" ? " (or disable, for a server without TLS)" : " (or require, for a server with TLS)") + " to say which you mean");
        return label;
    }

    private static SslMode? UrlSslMode(string? url)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            if (pair.Split('=', 2) is ["sslmode", var value]
                && Enum.GetNames<SslMode>().FirstOrDefault(n => n.Equals(value.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)) is { } name)
                return Enum.Parse<SslMode>(name);
        return null;
    }
}
