using Cocona;

namespace TokenTelemetry.Commands;

/// <summary>The options every command takes (DESIGN §5).</summary>
public sealed record GlobalOptions(
    [Option('i', Description = "Instance: a name under ./instances, a folder, or a config.yaml path (default: $TT_INSTANCE, else the only instance)")]
    string? Instance = null,
    [Option(Description = "Show debug logs and stack traces")]
    bool Verbose = false) : ICommandParameterSet;
