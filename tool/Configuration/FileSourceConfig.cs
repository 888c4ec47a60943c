namespace TokenTelemetry.Configuration;

/// <summary>A source that reads files: manual aggregate rows (CSV/JSON) or request logs (JSONL).</summary>
public sealed record FileSourceConfig : SourceConfig
{
    /// <summary>A file or a folder; relative paths are relative to the instance folder.</summary>
    public string? Path { get; init; }
    /// <summary>auto, or a named format.</summary>
    public string Format { get; init; } = "auto";
}
