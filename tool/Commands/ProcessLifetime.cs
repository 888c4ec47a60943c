using System.Runtime.InteropServices;

namespace TokenTelemetry.Commands;

/// <summary>
/// The process-wide cancellation every command passes down: SIGTERM and Ctrl-C (SIGINT) cancel it, so a collector
/// daemon stops between cycles and a window in flight commits or rolls back whole instead of being cut off.
/// </summary>
public static class ProcessLifetime
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static CancellationToken Token => Source.Token;

    public static void Install()
    {
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGTERM, PosixSignal.SIGINT])
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we stop ourselves, cleanly
                Source.Cancel();
            }));
    }
}
