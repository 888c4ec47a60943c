namespace TokenTelemetry.Configuration;

/// <summary>One thing wrong with a config file: the YAML path of the key, its line (0 = unknown) and what to do.</summary>
public sealed record ConfigProblem(string Path, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{Path} (line {Line}): {Message}" : $"{Path}: {Message}";
}
