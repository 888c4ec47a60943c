namespace TokenTelemetry.Tests.Support;

/// <summary>The recorded payload fixtures under tests/fixtures/, copied beside the test binaries.</summary>
public static class Fixtures
{
    public static string Root { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
