using TokenTelemetry.Usage;

namespace TokenTelemetry.UseCases;

/// <summary>What `import` was asked, as given on the command line (DESIGN §5); <see cref="Validate"/> checks it
/// before the instance is even loaded.</summary>
public sealed record ImportOptions
{
    public required string Path { get; init; }
    /// <summary>Where a relative path starts (the current folder).</summary>
    public required string BaseDirectory { get; init; }
    public string Format { get; init; } = "auto";
    public string? SourceSystem { get; init; }
    public string? UserId { get; init; }
    public string? ProjectId { get; init; }
    public string Granularity { get; init; } = "hour";
    public string? Provider { get; init; }
    public string? At { get; init; }
    public bool Replace { get; init; }

    /// <summary>The window of the rolled-up rows; one-line errors for flags the database or dashboards could not hold.</summary>
    public Granularity Validate()
    {
        var g = Granularity switch
        {
            "hour" => Usage.Granularity.Hour,
            "day" => Usage.Granularity.Day,
            _ => throw new TelemetryException($"--granularity '{Granularity}' is not hour or day"),
        };
        foreach (var (flag, value) in new[] { ("--source-system", SourceSystem), ("--user-id", UserId), ("--project-id", ProjectId), ("--provider", Provider) })
            if (UsageLimits.LabelProblem(flag, value) is { } problem) throw new TelemetryException(problem);
        if (SourceSystem is not null && SourceSystem.Trim().Length == 0) throw new TelemetryException("--source-system is empty", "leave it out for the default (import)");
        return g;
    }
}
