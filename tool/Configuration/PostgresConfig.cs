namespace TokenTelemetry.Configuration;

/// <summary>Where the fact table lives. Either <see cref="Url"/> or host/port/database/user, or
/// <see cref="Embedded"/> for a cluster the tool runs itself in the instance's .pgdata.</summary>
public sealed record PostgresConfig
{
    /// <summary>The schema an instance uses unless it says otherwise (DESIGN §3); init offers it too.</summary>
    public const string DefaultSchema = "telemetry";

    /// <summary>postgres://user@host:port/db?sslmode=... ; a password here is better kept in <see cref="Password"/>.</summary>
    public string? Url { get; init; }
    public string Host { get; init; } = "localhost";
    /// <summary>External: the server's port (empty = 5432). Embedded: the port on 127.0.0.1 the cluster listens on;
    /// empty = a free one picked when it is created, kept in .embedded-postgres.json and moved if something takes it.</summary>
    public int? Port { get; init; }

    /// <summary>The port of an external server.</summary>
    public int ServerPort => Port ?? 5432;
    public string Database { get; init; } = "token_telemetry";
    public string User { get; init; } = "token_telemetry";
    public string? Password { get; init; }
    public string Schema { get; init; } = DefaultSchema;
    public SslMode SslMode { get; init; } = SslMode.Prefer;
    public bool Embedded { get; init; }
    /// <summary>Folder holding initdb/pg_ctl for the embedded cluster; empty = PATH, then /usr/lib/postgresql/*/bin.</summary>
    public string? EmbeddedBinDir { get; init; }
}
