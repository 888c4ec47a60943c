namespace TokenTelemetry.Database;

/// <summary>
/// What the tool remembers about an instance's embedded cluster, in instances/&lt;name&gt;/.embedded-postgres.json
/// (mode 600, git-ignored, like a .pgpass): its port and the superuser password generated at initdb.
/// </summary>
public sealed record EmbeddedState(int Port, string Password, string BinDirectory, int MajorVersion);
