namespace TokenTelemetry.Database;

/// <summary>A watermark as read: <see cref="Value"/> is on the grid; <see cref="Stored"/> is what the table held.</summary>
public sealed record Watermark(DateTimeOffset Value, DateTimeOffset Stored)
{
    /// <summary>True when the stored mark was off the grid and was snapped forward: worth a warning.</summary>
    public bool WasSnapped => Value != Stored;
}
