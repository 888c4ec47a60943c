using System.Reflection;
using Cocona.Application;

namespace TokenTelemetry.Hosting;

/// <summary>
/// The name, description and version help prints. Cocona's default reads them from the process and its entry
/// assembly, which names `dotnet` under `dotnet token-telemetry.dll` and the test host in-process; the tool is
/// token-telemetry however it is started.
/// </summary>
public sealed class ToolMetadata : ICoconaApplicationMetadataProvider
{
    private static readonly Assembly Tool = typeof(ToolMetadata).Assembly;

    public string GetExecutableName() => "token-telemetry";

    public string GetDescription() => Tool.GetCustomAttribute<AssemblyTitleAttribute>()?.Title ?? "";

    public string GetProductName() => Tool.GetCustomAttribute<AssemblyProductAttribute>()?.Product ?? Tool.FullName ?? "";

    public string GetVersion() => Tool.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0.0";
}
