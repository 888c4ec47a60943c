using System.Globalization;

namespace TokenTelemetry.Configuration;

/// <summary>A source that reads files: manual aggregate rows (CSV/JSON) or request logs (JSONL).</summary>
public sealed record FileSourceConfig : SourceConfig
{
    /// <summary>A file or a folder; relative paths are relative to the instance folder.</summary>
    public string? Path { get; init; }
    /// <summary>auto, or a named format.</summary>
    public string Format { get; init; } = "auto";
    /// <summary>The time given to calls whose payload and log envelope carry none (ISO 8601); empty: such lines are
    /// rejected with file:line. A file's modification time is never used.</summary>
    public string? At { get; init; }

    /// <summary><see cref="At"/> as a time; null when unset or not a time (the validator reports the latter).</summary>
    public DateTimeOffset? AtTime =>
        !string.IsNullOrWhiteSpace(At) && At.Trim().Length >= 10 && char.IsAsciiDigit(At.Trim()[0]) && At.Trim()[4] == '-'
        && DateTimeOffset.TryParse(At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;
}
