using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace TokenTelemetry.Database;

/// <summary>
/// A Postgres cluster the tool runs itself (postgres.embedded: true, `db start|stop|status`): initdb into the
/// instance's .pgdata with the machine's binaries, listening on 127.0.0.1 only, on the configured port
/// (postgres.port) or else a free one, recorded in the state file. As root it runs everything as the postgres
/// user. The test fixture uses this same class.
/// </summary>
/// <param name="port">postgres.port: the cluster always starts there (an error when it is taken); null = the
/// port in the state file, moved to a free one when something else took it.</param>
public sealed class EmbeddedPostgres(string dataDirectory, string statePath, string? binDirectory = null,
    IReadOnlyDictionary<string, string>? extraSettings = null, int? port = null)
{
    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);
    private string LogFile => Path.Combine(DataDirectory, "postmaster.log");
    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    public EmbeddedState? ReadState() => ReadState(statePath);

    /// <summary>The state file an embedded cluster left (its port, password, …), or null when there is none.</summary>
    public static EmbeddedState? ReadState(string statePath) =>
        File.Exists(statePath) ? JsonSerializer.Deserialize<EmbeddedState>(File.ReadAllText(statePath), StateJson) : null;

    /// <summary>Initialises the cluster if needed and starts it if it is not running; returns how to reach it.</summary>
    public async Task<EmbeddedState> StartAsync(Action<string>? progress, CancellationToken ct)
    {
        var state = ReadState();
        if (IsInitialized && state is null)
            throw new TelemetryException($"{DataDirectory} holds a cluster but {statePath} is missing, so its password is unknown",
                $"delete {DataDirectory} to start over (its data is lost), or restore the state file");
        var binaries = await PostgresBinaries.FindAsync(binDirectory ?? state?.BinDirectory, ct);
        var running = IsInitialized && await IsRunningAsync(binaries, ct);
        if (!running && port is { } configured && !IsPortFree(configured))
            throw new TelemetryException($"port {configured} (postgres.port) is taken by another process, so the embedded Postgres cannot listen there",
                "choose another postgres.port, or leave it empty to let the tool pick a free port");
        if (!IsInitialized) state = await InitAsync(binaries, progress, ct);
        else if (binaries.MajorVersion != state!.MajorVersion)
            throw new TelemetryException($"the embedded cluster is PostgreSQL {state.MajorVersion} but the binaries found are {binaries.MajorVersion}",
                $"set postgres.embedded_bin_dir to the PostgreSQL {state.MajorVersion} bin folder");
        if (running)
        {
            if (port is { } wanted && wanted != state!.Port)
                progress?.Invoke($"the embedded Postgres is running on port {state.Port}; postgres.port {wanted} applies from its next start (`token-telemetry db stop`)");
            return state!;
        }

        if (port is { } fixedPort && fixedPort != state!.Port)
        {
            state = state with { Port = fixedPort };
            WriteState(state);
        }
        else if (port is null && !IsPortFree(state!.Port))
        {
            var free = FreePort();
            progress?.Invoke($"port {state.Port} is taken; the embedded Postgres moves to port {free}");
            state = state with { Port = free };
            WriteState(state);
        }
        progress?.Invoke($"starting the embedded PostgreSQL {state.MajorVersion} on 127.0.0.1:{state.Port}");
        var start = await ProcessRunner.RunAsync(binaries.PgCtl,
            ["start", "-D", DataDirectory, "-w", "-t", "60", "-l", LogFile, "-o", $"-p {state.Port}"], asPostgresUser: true, ct);
        if (start.ExitCode != 0)
            throw new TelemetryException($"the embedded Postgres did not start: {LastLines(start.Output)} {LastLines(ReadLog())}".Trim(),
                $"see {LogFile}");
        return state;
    }

    public async Task<bool> StopAsync(CancellationToken ct)
    {
        var state = ReadState();
        if (!IsInitialized || state is null) return false;
        var binaries = await PostgresBinaries.FindAsync(binDirectory ?? state.BinDirectory, ct);
        if (!await IsRunningAsync(binaries, ct)) return false;
        var stop = await ProcessRunner.RunAsync(binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], asPostgresUser: true, ct);
        if (stop.ExitCode != 0) throw new TelemetryException($"the embedded Postgres did not stop: {LastLines(stop.Output)}", $"see {LogFile}");
        return true;
    }

    public async Task<bool> IsRunningAsync(CancellationToken ct)
    {
        var state = ReadState();
        if (!IsInitialized || state is null) return false;
        return await IsRunningAsync(await PostgresBinaries.FindAsync(binDirectory ?? state.BinDirectory, ct), ct);
    }

    /// <summary>Creates <paramref name="database"/> in the running cluster if it does not exist yet.</summary>
    public static async Task EnsureDatabaseAsync(EmbeddedState state, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionStrings.ForEmbedded(state, "postgres"));
        await connection.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @database)", new { database }, cancellationToken: ct)))
            return;
        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await connection.ExecuteAsync(new CommandDefinition($"CREATE DATABASE {quoted}", cancellationToken: ct));
    }

    private async Task<bool> IsRunningAsync(PostgresBinaries binaries, CancellationToken ct) =>
        (await ProcessRunner.RunAsync(binaries.PgCtl, ["status", "-D", DataDirectory], asPostgresUser: true, ct)).ExitCode == 0;

    private async Task<EmbeddedState> InitAsync(PostgresBinaries binaries, Action<string>? progress, CancellationToken ct)
    {
        progress?.Invoke($"creating an embedded PostgreSQL {binaries.MajorVersion} cluster in {DataDirectory}");
        Directory.CreateDirectory(DataDirectory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var passwordFile = Path.Combine(Path.GetTempPath(), $"tt-pw-{Guid.NewGuid():N}");
        try
        {
            await PrivateFile.WriteAllTextAsync(passwordFile, password + "\n", ct);
            if (ProcessRunner.IsRoot) await GiveToPostgresUserAsync([DataDirectory, passwordFile], ct);
            var init = await ProcessRunner.RunAsync(binaries.Initdb,
                ["-D", DataDirectory, "-U", "postgres", "-A", "scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-locale"],
                asPostgresUser: true, ct);
            if (init.ExitCode != 0) throw new TelemetryException($"initdb failed: {LastLines(init.Output)}", $"check that {DataDirectory} is writable");
        }
        finally
        {
            File.Delete(passwordFile);
        }
        var settings = new Dictionary<string, string>
        {
            ["listen_addresses"] = "'127.0.0.1'",
            ["unix_socket_directories"] = "''",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>()) settings[key] = value;
        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"),
            ["", "# added by token-telemetry (embedded Postgres)", .. settings.Select(s => $"{s.Key} = {s.Value}")], ct);
        var state = new EmbeddedState(port ?? FreePort(), password, binaries.BinDirectory, binaries.MajorVersion);
        WriteState(state);
        return state;
    }

    private async Task GiveToPostgresUserAsync(string[] paths, CancellationToken ct)
    {
        var chown = await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", .. paths], asPostgresUser: false, ct);
        if (chown.ExitCode != 0) throw new TelemetryException($"could not hand {DataDirectory} to the postgres user: {chown.Output}");
        var probe = await ProcessRunner.RunAsync("test", ["-w", DataDirectory], asPostgresUser: true, ct);
        if (probe.ExitCode != 0)
            throw new TelemetryException($"the postgres user cannot reach {DataDirectory}",
                "running as root, the embedded Postgres runs as the postgres user: keep the instance under a folder every user can traverse (not /root)");
    }

    private void WriteState(EmbeddedState state)
    {
        PrivateFile.WriteAllText(statePath, JsonSerializer.Serialize(state, StateJson));
    }

    private string ReadLog()
    {
        try { return File.Exists(LogFile) ? File.ReadAllText(LogFile) : ""; }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static string LastLines(string text) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
