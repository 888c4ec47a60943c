using Npgsql;

namespace TokenTelemetry.Tests.Support;

/// <summary>An instance folder for CLI tests whose config points at a fresh database of the test cluster.</summary>
public sealed class CliInstance : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Root => _dir.Path;
    public string Directory => _dir.File("instances", "t");
    public required string ConnectionString { get; init; }
    public Dictionary<string, string> Environment { get; } = [];

    public static async Task<CliInstance> CreateAsync(string sourcesYaml, string extraYaml = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var connectionString = await (await TestCluster.Current).CreateDatabaseAsync();
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var instance = new CliInstance { ConnectionString = connectionString };
        System.IO.Directory.CreateDirectory(instance.Directory);
        System.IO.File.WriteAllText(Path.Combine(instance.Directory, "config.yaml"), $"""
            postgres:
              host: {b.Host}
              port: {b.Port}
              database: {b.Database}
              user: {b.Username}
              password: ${"{"}TT_PG_PASSWORD{"}"}
              ssl_mode: disable
            scheduler:
              lag_minutes: 0
              max_backfill_hours: 1000
              lookback_days: 0
            sources:
            {Indent(sourcesYaml)}
            {extraYaml}
            """);
        instance.Environment["TT_PG_PASSWORD"] = b.Password ?? "";
        instance.Environment["TT_HTTP_RETRY_BASE_MS"] = "20";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) instance.Environment[k] = v;
        var migrate = await instance.RunAsync("migrate");
        if (migrate.ExitCode != 0) throw new InvalidOperationException(migrate.Stderr);
        return instance;
    }

    public Task<Cli.Result> RunAsync(params string[] args) => Cli.RunAsync(Root, Environment, args);

    public string File(params string[] parts) => _dir.File(parts);

    private static string Indent(string yaml) => string.Join("\n", yaml.Split('\n').Select(l => "  " + l));

    public void Dispose() => _dir.Dispose();
}
