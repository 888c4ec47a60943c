using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;

namespace TokenTelemetry.Commands;

/// <summary>`db start|stop|status`: the instance's embedded Postgres (postgres.embedded: true).</summary>
public sealed class DbCommands
{
    [Command("start", Description = "Start the embedded Postgres (creating it on first use)")]
    public async Task<int> Start(GlobalOptions global)
    {
        var ct = ProcessLifetime.Token;
        var (instance, embedded) = Embedded(global);
        var state = await embedded.StartAsync(Terminal.Progress, ct);
        await EmbeddedPostgres.EnsureDatabaseAsync(state, instance.Config.Postgres.Database, ct);
        Terminal.Out($"running: PostgreSQL {state.MajorVersion} on 127.0.0.1:{state.Port}, database {instance.Config.Postgres.Database}, data in {embedded.DataDirectory}");
        return ExitCodes.Ok;
    }

    [Command("stop", Description = "Stop the embedded Postgres")]
    public async Task<int> Stop(GlobalOptions global)
    {
        var (_, embedded) = Embedded(global);
        Terminal.Out(await embedded.StopAsync(ProcessLifetime.Token) ? "stopped" : "was not running");
        return ExitCodes.Ok;
    }

    [Command("status", Description = "Say whether the embedded Postgres runs; exit 0 running, 1 not")]
    public async Task<int> Status(GlobalOptions global)
    {
        var (_, embedded) = Embedded(global);
        var state = embedded.ReadState();
        if (!embedded.IsInitialized || state is null)
        {
            Terminal.Out($"not created yet (it will be at {embedded.DataDirectory}; `token-telemetry db start` creates it)");
            return ExitCodes.Failed;
        }
        var running = await embedded.IsRunningAsync(ProcessLifetime.Token);
        Terminal.Out(running
            ? $"running: PostgreSQL {state.MajorVersion} on 127.0.0.1:{state.Port}, data in {embedded.DataDirectory}"
            : $"stopped: PostgreSQL {state.MajorVersion}, port {state.Port} when running, data in {embedded.DataDirectory}");
        return running ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static (Instance, EmbeddedPostgres) Embedded(GlobalOptions global)
    {
        var instance = InstanceLoading.Load(global, requireSources: false);
        var pg = instance.Config.Postgres;
        if (!pg.Embedded)
            throw new TelemetryException($"instance {instance.Name} uses an external Postgres (postgres.embedded is false)",
                "db start|stop|status manage only an embedded Postgres; set postgres.embedded: true to use one");
        return (instance, new EmbeddedPostgres(instance.PgDataDirectory, instance.EmbeddedStatePath, pg.EmbeddedBinDir, port: pg.Port));
    }
}
