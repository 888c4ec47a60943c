using Cocona.Filters;
using Npgsql;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Commands;

/// <summary>
/// Turns every failure into one stderr line, <c>error: what (hint)</c>, and an exit code (DESIGN §5): our own
/// exceptions carry both; anything else is a bug and says so. Stack traces only with --verbose.
/// </summary>
public sealed class ErrorFilter(bool verbose) : ICommandFilter
{
    public const int Interrupted = ExitCodes.Interrupted;

    public async ValueTask<int> OnCommandExecutionAsync(CoconaCommandExecutingContext ctx, CommandExecutionDelegate next)
    {
        try
        {
            return await next(ctx);
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    private int Report(Exception e)
    {
        switch (e)
        {
            case ConfigException config:
                Terminal.Error(config.ToErrorLine());
                if (config.Problems.Count > 1)
                    foreach (var problem in config.Problems) Terminal.Error($"  - {problem}");
                break;
            case TelemetryException known:
                Terminal.Error(known.ToErrorLine());
                break;
            case OperationCanceledException:
                Terminal.Error("error: interrupted (nothing half-written was committed)");
                return Interrupted;
            case PostgresException pg:
                Terminal.Error($"error: the database refused: {pg.MessageText} (SQLSTATE {pg.SqlState}{(pg.TableName is null ? "" : $", table {pg.TableName}")})");
                break;
            default:
                Terminal.Error($"error: unexpected {e.GetType().Name}: {e.Message} (this is a bug: rerun with --verbose and report the stack trace)");
                break;
        }
        if (verbose) Terminal.Error(e.ToString());
        return e is TelemetryException t ? t.ExitCode : ExitCodes.Failed;
    }
}
