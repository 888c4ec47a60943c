namespace TokenTelemetry.Pricing;

/// <summary>How one model in use prices under a new table: the entries it resolves to before and after (NULL: no price)
/// and each rate that differs, by name ("input", "output > 200,000", "batch_input", …), old → new (NULL: absent).</summary>
public sealed record PriceChange(string Model, string? Provider, string? OldKey, string? NewKey, IReadOnlyList<(string Rate, decimal? Old, decimal? New)> Rates);
