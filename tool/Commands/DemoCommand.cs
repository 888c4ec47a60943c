using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Rendering;
using TokenTelemetry.Sources;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed class DemoCommand
{
    [Command("demo", Description = "End to end on this machine: an instance with an embedded Postgres, sample data through the real import and collect paths, verify, the Grafana kit, report")]
    public async Task<int> Demo(
        [Option(Description = "Start over: stop the demo's Postgres and delete instances/demo first")] bool reset = false,
        [Option(Description = "Port of the demo's embedded Postgres on 127.0.0.1 (postgres.port; default: a free one)")] int? port = null,
        [Option(Description = "Show stack traces on errors")] bool verbose = false)
    {
        _ = verbose; // read by Program before the command runs
        var ct = ProcessLifetime.Token;
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
        // Sample files are written once, so that re-running the demo re-imports the same calls: same rows, same totals.
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

        Step(2, "database", "start the embedded Postgres and migrate");
        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        await using (var connection = await database.OpenConnectionAsync(ct))
            await new Migrator(database.Schema).MigrateAsync(connection, Terminal.Progress, ct);

        Step(3, "collect", "one cycle: subscriptions, the manual CSV, recorded request logs of 10 provider routes");
        var context = await CollectionSetup.ContextAsync(instance, ct);
        var collected = await CollectCommand.CycleAsync(instance, database, context, [], null, ct);

        Step(4, "verify", "every invariant the data can show");
        var sources = SourceFactory.Create(context, instance.SourceProblems);
        IReadOnlyList<CheckResult> checks;
        await using (var connection = await database.OpenConnectionAsync(ct))
            checks = await new Verifier(database.Schema, instance.Config, sources, context.Pricer.Resolver, context.Clock).RunAsync(connection, ct);
        foreach (var s in sources.OfType<IDisposable>()) s.Dispose();
        var failed = checks.Where(c => !c.Passed).ToList();
        Terminal.Out(failed.Count == 0 ? $"all {checks.Count} checks pass" : $"{failed.Count} of {checks.Count} checks FAIL: {string.Join(", ", failed.Select(f => f.Name))}");

        Step(5, "render", "the Grafana dashboards, provisioning, watchdog script, schedules and API route");
        var files = GrafanaKit.Render(instance);
        KitFiles.Write(Path.Combine(directory, "grafana"), files);
        Terminal.Out($"Grafana kit: {files.Count} files in instances/{DemoFiles.Name}/grafana (import dashboards/*.json, or provision; see grafana/README.md)");

        Step(6, "report", "spend and tokens of the last 45 days by provider");
        await using (var connection = await database.OpenConnectionAsync(ct))
        {
            var rows = await new SpendReport(database.Schema).RunAsync(connection, "provider", now.AddDays(-45), now.AddHours(1), ct);
            Terminal.Out(ReportCommand.Table("provider", now.AddDays(-45), now.AddHours(1), rows, SpendReport.Total(rows)));
        }

        Terminal.Out("");
        Terminal.Out("next:");
        Terminal.Out($"  token-telemetry report --instance {DemoFiles.Name} --by model --since 45d");
        Terminal.Out($"  token-telemetry watchdog --instance {DemoFiles.Name}");
        Terminal.Out($"  token-telemetry db stop --instance {DemoFiles.Name}     # the demo's Postgres keeps running until then");
        return collected == 0 && failed.Count == 0 ? 0 : 1;
    }

    private static void Step(int n, string name, string what) => Terminal.Progress($"[{n}/6] {name}: {what}");
}
