using Microsoft.Extensions.Logging;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Verification;

namespace TokenTelemetry.UseCases;

/// <summary>
/// `demo`: end to end on this machine — an instance with an embedded Postgres, sample data through the real collect and
/// import paths, verify, the Grafana kit and a report — by running the same use cases the commands run. Sample files
/// are written once, so re-running the demo re-imports the same calls: same rows, same totals.
/// </summary>
public sealed class RunDemo(Feedback feedback)
{
    public sealed record Result(string Directory, IReadOnlyList<SourceOutcome> Outcomes, IReadOnlyList<CheckResult> Checks, int KitFiles,
        IReadOnlyList<ReportRow> Rows, ReportRow Total, DateTimeOffset From, DateTimeOffset To);

    public async Task<Result> RunAsync(bool reset, int? port, CancellationToken ct)
    {
        var directory = Invocation.Current.FullPath(Path.Combine("instances", DemoFiles.Name));
        var now = CollectionSetup.Clock().GetUtcNow(); // TT_NOW replays the demo as of a date (its subscription days depend on it)

        Step(1, "instance", $"instances/{DemoFiles.Name} with an embedded Postgres");
        if (reset && Directory.Exists(directory))
        {
            await new EmbeddedPostgres(Path.Combine(directory, ".pgdata"), Path.Combine(directory, ".embedded-postgres.json")).StopAsync(ct);
            Directory.Delete(directory, recursive: true);
        }
        if (port is < 1 or > 65535) throw new TelemetryException($"--port {port} is not a TCP port", "use 1-65535");
        Directory.CreateDirectory(directory);
        if (!File.Exists(Path.Combine(directory, "config.yaml")))
            foreach (var (file, content) in DemoFiles.Scaffold(now, port)) await File.WriteAllTextAsync(Path.Combine(directory, file), content, ct);
        foreach (var (file, content) in DemoFiles.Samples(now))
        {
            var path = Path.Combine(directory, file);
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, ct);
        }
        var instance = InstanceLocator.Load(directory, Invocation.Current.WorkingDirectory);
        if (port is not null && instance.Config.Postgres.Port != port)
            throw new TelemetryException($"instances/{DemoFiles.Name} already exists with postgres.port {instance.Config.Postgres.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "empty (a free port)"}",
                $"run `demo --reset --port {port}` to start over on port {port}, or set postgres.port in instances/{DemoFiles.Name}/config.yaml");
        feedback.Log.LogDebug("demo: config {ConfigPath}; now {Now:u}", instance.ConfigPath, now);

        Step(2, "database", "start the embedded Postgres and migrate");
        await using var database = await TelemetryDatabase.ConnectAsync(instance, feedback.Progress, ct);
        await using (var connection = await database.OpenConnectionAsync(ct))
            await new Migrator(database.Schema).MigrateAsync(connection, feedback.Progress, ct);

        Step(3, "collect", "one cycle: subscriptions, the manual CSV, recorded request logs of 10 provider routes");
        var context = await CollectionSetup.ContextAsync(instance, feedback.Warn, ct);
        var outcomes = await new CollectCycle(instance, database, context, feedback).RunAsync([], null, ct);

        Step(4, "verify", "every invariant the data can show");
        var checks = await new VerifyData(instance, feedback).RunAsync(database, context, ct);

        Step(5, "render", "the Grafana dashboards, provisioning, watchdog script, schedules and API route");
        var files = new RenderKit(instance, feedback).RunDefault(Path.Combine(directory, "grafana"));

        Step(6, "report", "spend and tokens of the last 45 days by provider");
        var (from, to) = (now.AddDays(-45), now.AddHours(1));
        var (rows, total) = await new ReportSpend(instance, feedback).RunAsync(database, "provider", from, to, ct);
        return new Result(directory, outcomes, checks, files.Count, rows, total, from, to);
    }

    private void Step(int n, string name, string what) => feedback.Progress($"[{n}/6] {name}: {what}");
}
