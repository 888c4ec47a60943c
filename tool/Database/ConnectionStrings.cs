using Npgsql;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Database;

/// <summary>Npgsql connection strings from config. Passwords go only into the string, never into messages.</summary>
public static class ConnectionStrings
{
    public static string FromConfig(PostgresConfig pg)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = pg.Host,
            Port = pg.ServerPort,
            Database = pg.Database,
            Username = pg.User,
            SslMode = Enum.Parse<Npgsql.SslMode>(pg.SslMode.ToString()),
            ApplicationName = "token-telemetry",
        };
        if (!string.IsNullOrEmpty(pg.Url)) ApplyUrl(builder, pg.Url);
        if (!string.IsNullOrEmpty(pg.Password)) builder.Password = pg.Password;
        return builder.ConnectionString;
    }

    public static string ForEmbedded(EmbeddedState state, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = state.Port,
        Database = database,
        Username = "postgres",
        Password = state.Password,
        SslMode = Npgsql.SslMode.Disable,
        ApplicationName = "token-telemetry",
    }.ConnectionString;

    /// <summary>Where a connection string points, for messages: host:port/database, no credentials.</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    private static void ApplyUrl(NpgsqlConnectionStringBuilder builder, string url)
    {
        var uri = new Uri(url);
        builder.Host = uri.Host;
        if (uri.Port > 0) builder.Port = uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length != 2 || kv[0] != "sslmode") continue;
            // libpq refuses a misspelt sslmode; quietly falling back to "prefer" could send the password unencrypted.
            builder.SslMode = kv[1] is "disable" or "allow" or "prefer" or "require" or "verify-ca" or "verify-full"
                && Enum.TryParse<Npgsql.SslMode>(kv[1].Replace("-", ""), true, out var mode) ? mode
                : throw new TelemetryException($"postgres.url: sslmode '{kv[1]}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
        }
    }
}
