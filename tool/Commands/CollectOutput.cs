using TokenTelemetry.Collection;

namespace TokenTelemetry.Commands;

/// <summary>How a collection cycle is shown on stdout, by `collect` and `demo` alike: one line per source.</summary>
public static class CollectOutput
{
    public static void Print(IReadOnlyList<SourceOutcome> outcomes)
    {
        foreach (var o in outcomes)
            Terminal.Out($"{o.Source,-14} {o.Status.ToString().ToLowerInvariant(),-8} {o.Message}");
    }
}
