namespace TokenTelemetry.Tests.Support;

/// <summary>
/// An instance as a deployment holds it, for running its rendered schedules: external Postgres with a
/// non-superuser owner whose password has '$' in it (kept only in .env, mode 600), the requests source and one
/// recorded call three hours ago (12,500 input tokens, 9,984 of them cache reads, 820 output).
/// </summary>
public sealed class ScheduledInstance : IDisposable
{
    public const string DollarPassword = "pa$word$HOME-x";

    private readonly TempDirectory _dir = new();

    public string Root => _dir.Path;
    public string Directory => _dir.File("instances", "main");
    public required OwnerDatabase Db { get; init; }

    public static async Task<ScheduledInstance> CreateAsync()
    {
        var instance = new ScheduledInstance { Db = await OwnerDatabase.CreateAsync(DollarPassword) };
        var db = instance.Db;
        var requests = Path.Combine(instance.Directory, "imports", "requests");
        System.IO.Directory.CreateDirectory(requests);
        System.IO.File.WriteAllText(Path.Combine(instance.Directory, "config.yaml"), $"""
            postgres:
              host: {db.Host}
              port: {db.Port}
              database: {db.Database}
              user: {db.Owner}
              password: ${"{"}TT_PG_PASSWORD{"}"}
              ssl_mode: disable
            scheduler:
              lag_minutes: 0
              max_backfill_hours: 48
              lookback_days: 0
            sources:
              requests:
                enabled: true
                path: imports/requests

            """);
        var env = Path.Combine(instance.Directory, ".env");
        System.IO.File.WriteAllText(env, $"TT_PG_PASSWORD={DollarPassword}\n");
        System.IO.File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var created = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds();
        System.IO.File.WriteAllText(Path.Combine(requests, "calls.jsonl"),
            """{"id":"chatcmpl-sched1","object":"chat.completion","created":""" + created + ""","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12500,"completion_tokens":820,"total_tokens":13320,"prompt_tokens_details":{"cached_tokens":9984}}}""" + "\n");
        return instance;
    }

    public Task<Cli.Result> RunAsync(params string[] args) => Cli.RunAsync(Root, [.. args, "--instance", "main"]);

    public string File(params string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    public void Dispose() => _dir.Dispose();
}
