using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class MigrateCommand(ILogger<MigrateCommand> log)
{
    [Command("migrate", Description = "Apply pending sql/ migrations under an advisory lock, one transaction each")]
    public async Task<int> Migrate(
        GlobalOptions global,
        [Option("dry-run", Description = "Print the SQL that would run; change nothing")] bool dryRun = false,
        [Option(Description = "List applied and pending migrations; exit 1 if an applied file changed")] bool status = false,
        [Option("print-reader-sql", Description = "Print the SQL a DBA runs to create grafana.reader_role when the owner lacks CREATEROLE (password as a SCRAM verifier); connects to nothing")] bool printReaderSql = false)
    {
        var ct = ProcessLifetime.Token;
        var instance = InstanceLoading.Load(global, requireSources: false);
        var migrate = new MigrateSchema(instance, Terminal.Feedback(log));
        if (printReaderSql)
        {
            Invocation.Current.Terminal.Out.Write(migrate.ReaderSql());
            return ExitCodes.Ok;
        }
        if (status) return PrintStatus(await migrate.StatusAsync(ct));
        if (dryRun)
        {
            Invocation.Current.Terminal.Out.Write(await migrate.DryRunAsync(ct));
            return ExitCodes.Ok;
        }
        var done = await migrate.RunAsync(ct);
        Terminal.Out(done.Applied.Count == 0
            ? $"schema {done.Schema} at {done.Location} is up to date ({done.Total} migration(s) applied)"
            : $"applied {string.Join(", ", done.Applied.Select(m => m.FileName))} to schema {done.Schema} at {done.Location}");
        return ExitCodes.Ok;
    }

    private static int PrintStatus(MigrateSchema.State state)
    {
        var s = state.Status;
        Terminal.Out($"schema {state.Schema} at {state.Location}");
        foreach (var a in s.Applied)
        {
            var applied = s.Changed.Any(c => c.Version == a.Version) ? "CHANGED since applied"
                : s.Unknown.Contains(a) ? "unknown to this tool" : "applied";
            Terminal.Out($"  V{a.Version:D4} {a.Name,-30} {applied,-22} {a.AppliedAt:yyyy-MM-dd HH:mm:ss}Z by {a.ToolVersion}");
        }
        foreach (var p in s.Pending) Terminal.Out($"  V{p.Version:D4} {p.Name,-30} pending");
        return s.Changed.Count > 0 || s.Unknown.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
