using System.Runtime.InteropServices;

namespace TokenTelemetry.Commands;

/// <summary>
/// The cancellation every command passes down: in the binary SIGTERM and Ctrl-C (SIGINT) cancel it, so a collector
/// daemon stops between cycles and a window in flight commits or rolls back whole instead of being cut off; a run
/// hosted in-process gets its own from its <see cref="Invocation"/>.
/// </summary>
public static class ProcessLifetime
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static CancellationToken Token => Invocation.Current.Cancellation;

    /// <summary>Registers the process's signal handlers; returns the token they cancel.</summary>
    public static CancellationToken Install()
    {
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGTERM, PosixSignal.SIGINT])
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we stop ourselves, cleanly
                Source.Cancel();
            }));
        return Source.Token;
    }
}
