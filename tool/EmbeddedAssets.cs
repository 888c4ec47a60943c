using System.Reflection;

namespace TokenTelemetry;

/// <summary>
/// The one reader of the files compiled into the tool: sql/ migrations and templates/, named by their
/// repository path ("sql/V0001__init.sql", "templates/instance/config.yaml.sbn"), so the installed tool
/// needs nothing from the repository.
/// </summary>
public static class EmbeddedAssets
{
    private static readonly Assembly Assembly = typeof(EmbeddedAssets).Assembly;

    public static IReadOnlyList<string> List(string prefix) =>
        Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Reads an asset's bytes as shipped (data files such as the bundled price table).</summary>
    public static byte[] ReadBytes(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(name)
            ?? throw new TelemetryException($"embedded asset '{name}' is missing", "the tool package is incomplete; reinstall it");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Reads an asset as text with line endings normalised to LF, so checksums and renders are
    /// the same whatever the checkout's line-ending settings were.</summary>
    public static string ReadText(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(name)
            ?? throw new TelemetryException($"embedded asset '{name}' is missing", "the tool package is incomplete; reinstall it");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
